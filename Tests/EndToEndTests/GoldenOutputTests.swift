import Foundation
import AECLI
import AECore
import AEIO
import XCTest

/// Pinned outputs of seeded models, so that a change to the model's code
/// that moves any weight or score by one bit is seen. Seeded training is
/// bit-identical for a given thread count, and every tool prints the
/// shortest text that reads back to the same Float, so equal outputs mean
/// equal bits. The digests were recorded before the model became a list of
/// layers (issue 17), and all held through it but one on purpose: the
/// --explain shares moved in their last digit when the per-feature terms
/// came to be computed by training's loss kernels (fast_exp) instead of
/// Swift's expf and log1pf. A change that alters them must say why. The
/// first fit keeps its pins with `--trim 0` since the default came to
/// trim (`TrainingTrim`); the default's own fit is pinned beside it.
///
/// Training's products run on OpenBLAS, whose kernels for each CPU sum in
/// their own order, so the pins are kept per kernel (`BLAS.kernelName`):
/// the AVX-512 ones these machines choose (Cooperlake), and the AVX2 ones
/// they run with OPENBLAS_CORETYPE=Haswell. On any other kernels the test
/// skips, saying so.
final class GoldenOutputTests: ScratchDirectoryTestCase {
    /// One output's digests, by the OpenBLAS kernels the fit ran on.
    private struct Pin {
        let haswell: String
        let cooperlake: String

        func digest(forKernel kernel: String) -> String? {
            switch kernel {
            case "Haswell": haswell
            case "Cooperlake": cooperlake
            default: nil
            }
        }
    }

    /// FNV-1a over the bytes: a digest that is the same on every machine.
    private func digest(_ data: Data) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    /// The rows of a stream without its header, which names the model by
    /// its path (a scratch directory of its own for each run).
    private func withoutStreamHeader(_ output: Data) -> Data {
        let header = Data("{\"ae\":".utf8)
        guard output.starts(with: header), let end = output.firstIndex(of: UInt8(ascii: "\n")) else { return output }
        return output[(end + 1)...]
    }

    /// Sparse rows in [0, 1] (about a fifth non-zero), like images, so that
    /// the first layer takes its sparse products in training and inference.
    private func writeSparseRows() throws {
        var generator = SeededGenerator(seed: 11)
        let lines = (0..<240).map { _ -> String in
            let values = (0..<48).map { _ -> String in
                generator.uniform() < 0.2 ? String(Float(generator.uniform())) : "0"
            }
            return "[\(values.joined(separator: ","))]"
        }
        try (lines.joined(separator: "\n") + "\n").write(
            to: directory.appendingPathComponent("sparse.ndjson"), atomically: false, encoding: .utf8)
    }

    /// Each case: a fit, then the commands whose outputs are pinned.
    private var cases: [(fit: String, outputs: [String: Pin])] {
        [
            ("ae-fit x.ndjson -o ae.h5 --trim 0 --seed 7 --threads 1 --quiet", [
                "ae-encode ae.h5 x.ndjson": Pin(haswell: "10b577b056c2d92c", cooperlake: "886b6481f879faf6"),
                "ae-encode ae.h5 x.ndjson | ae-decode ae.h5": Pin(haswell: "dfd266d305c49f2f", cooperlake: "34616c0abe00eeb6"),
                "ae-score ae.h5 x.ndjson": Pin(haswell: "eae64a35d65b626d", cooperlake: "70323e107d6ef4fb"),
                "ae-score ae.h5 x.ndjson --method reconstruction": Pin(haswell: "518140c7af445e2e", cooperlake: "347c84a3bff921f6"),
            ]),
            ("ae-fit x.ndjson -o trimmed.h5 --seed 7 --threads 1 --quiet", [
                "ae-encode trimmed.h5 x.ndjson": Pin(haswell: "eb4364f65729191e", cooperlake: "c3c985b8b8420c7"),
                "ae-score trimmed.h5 x.ndjson": Pin(haswell: "bbed903fff2210c5", cooperlake: "496597bd4ea0fe1d"),
            ]),
            ("ae-fit x.ndjson -o vae.h5 --kind vae --hidden 16,8 --latent 2 --epochs 15 --kl-warmup 3 --seed 7 --threads 2 --quiet", [
                "ae-encode vae.h5 x.ndjson --with-logvar": Pin(haswell: "c5d1d1ae06733037", cooperlake: "f35daad0a85faee3"),
                "ae-encode vae.h5 x.ndjson | ae-decode vae.h5": Pin(haswell: "cee69c010d7f824c", cooperlake: "a59a961851677497"),
                "ae-score vae.h5 x.ndjson": Pin(haswell: "42501cdc68f810a4", cooperlake: "c4bed42301aaf706"),
                "ae-score vae.h5 x.ndjson --method iwae": Pin(haswell: "858b2c62ab907901", cooperlake: "999db93f0508b5ae"),
                "ae-score vae.h5 x.ndjson --method density": Pin(haswell: "cbf7e5f9584e8cf0", cooperlake: "ea86fc76bf85fda6"),
            ]),
            ("ae-fit sparse.ndjson -o sparse.h5 --kind vae --loss bce --hidden 32 --latent 4 --epochs 6 --weight-decay 0.01 --seed 3 --threads 2 --quiet", [
                "ae-encode sparse.h5 sparse.ndjson --with-logvar": Pin(haswell: "4848ebb13880df48", cooperlake: "90514e9cd725515c"),
                "ae-score sparse.h5 sparse.ndjson": Pin(haswell: "deb5af3794a85472", cooperlake: "4561d4367088ac62"),
                "ae-score sparse.h5 sparse.ndjson --method reconstruction": Pin(haswell: "b982c344a0959e8c", cooperlake: "4689bfae829efe8e"),
            ]),
            ("ae-fit sparse.ndjson -o sparse-ae.h5 --loss bce --hidden 24,12 --latent 3 --epochs 8 --noise 0.1 --seed 5 --threads 1 --quiet", [
                "ae-encode sparse-ae.h5 sparse.ndjson | ae-decode sparse-ae.h5": Pin(haswell: "5670240ff0515e6d", cooperlake: "8c453b15a2baa734"),
                "ae-score sparse-ae.h5 sparse.ndjson --method reconstruction --explain 2": Pin(haswell: "1714bca8ae2bc42b", cooperlake: "7a8a3214b762ddc9"),
            ]),
        ]
    }

    func testSeededModelsGiveThePinnedOutputs() throws {
        let kernel = BLAS.kernelName
        guard cases[0].outputs.values.first!.digest(forKernel: kernel) != nil else {
            throw XCTSkip("no digests are pinned for OpenBLAS's \(kernel) kernels")
        }
        try writeSparseRows()
        var mismatches: [String] = []
        for (fit, outputs) in cases {
            try succeed(fit)
            for (command, pin) in outputs.sorted(by: { $0.key < $1.key }) {
                let expected = pin.digest(forKernel: kernel)!
                let output = try succeed(command).stdout
                XCTAssertFalse(output.isEmpty, command)
                let actual = digest(withoutStreamHeader(output))
                if actual != expected { mismatches.append("\"\(command)\": \"\(actual)\" (pinned \"\(expected)\")") }
            }
        }
        XCTAssert(mismatches.isEmpty, "outputs differ from the digests pinned for \(kernel):\n" + mismatches.joined(separator: "\n"))
    }

    /// Model files written by ae before the layer list (format_version 1,
    /// kept in Tests/Fixtures/format-1) load and give what that ae gave:
    /// the digests were taken from its outputs on the same rows.
    func testModelsWrittenBeforeTheLayerListGiveTheirOldOutputs() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/format-1")
        for name in ["vae.h5", "ae.h5", "rows.ndjson"] {
            try FileManager.default.copyItem(at: fixtures.appendingPathComponent(name), to: directory.appendingPathComponent(name))
        }
        let pinned = [
            "ae-score vae.h5 rows.ndjson": "2084b4ce24077b4d",
            "ae-score vae.h5 rows.ndjson --method iwae": "9eb7a83b580ee582",
            "ae-encode vae.h5 rows.ndjson --with-logvar": "4cf2dfc01e4803d2",
            "ae-score ae.h5 rows.ndjson": "d34f74c4b7c3d32f",
            "ae-encode ae.h5 rows.ndjson": "1b87947bc8941ce3",
        ]
        for (command, expected) in pinned.sorted(by: { $0.key < $1.key }) {
            XCTAssertEqual(digest(withoutStreamHeader(try succeed(command).stdout)), expected, command)
        }
    }
}
