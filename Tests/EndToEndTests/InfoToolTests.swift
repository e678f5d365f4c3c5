import Foundation
import AECLI
import AECore
import AEIO
import XCTest

/// ae-info as users run it: the summary of models ae-fit wrote, as text and
/// as JSON read by jq, and of what else a model file may hold.
final class InfoToolTests: ScratchDirectoryTestCase {
    func testTheSummaryOfAnAutoencoder() throws {
        try succeed("ae-fit x.ndjson -o ae.h5 --hidden 16 --latent 2 --epochs 3 --val 0.2 --threads 1 --quiet")
        let lines = try succeed("ae-info ae.h5").stdoutLines
        XCTAssertEqual(Array(lines.prefix(9)), [
            "model        ae.h5: ae (model format 1, written by ae \(ToolVersion.string))",
            "network      8 -> 16 -> 2 -> 16 -> 8; relu, loss mse, 362 parameters",
            "             encoder/layer_0  8 -> 16, 144 parameters",
            "             encoder/mean     16 -> 2, 34 parameters",
            "             decoder/layer_0  2 -> 16, 48 parameters",
            "             decoder/output   16 -> 8, 136 parameters",
            "features     8, unnamed",
            "normalise    minmax",
            "data         240 training rows, 60 validation rows (--val 0.2), 8 values each",
        ])
        XCTAssertEqual(lines[9], "training     3 of 3 epochs run; batch 128, lr 0.001, weight decay 0, beta 1, "
            + "kl warm-up 0, patience 10, noise 0, seed 1, threads 1")
        // ae-fit's fit summary, filled into lines by name.
        XCTAssertTrue(lines[10].hasPrefix("fit summary  epochs_run: 3, features: 8, kept_epoch: 3, kept_train_loss: "), lines[10])
        let calibration = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("calibration  ") })
        XCTAssertTrue(lines[11..<calibration].allSatisfy { $0.hasPrefix("             ") })
        XCTAssertTrue(lines[11..<calibration].joined().contains("training_rows: 240, validation_rows: 60"))
        XCTAssertTrue(lines[calibration].hasPrefix("calibration  reconstruction (60 validation rows): q0.5 "), lines[calibration])
        XCTAssertTrue(lines[calibration + 1].hasPrefix("             density (60 validation rows): q0.5 "))
        let threshold = lines[calibration + 2]
        XCTAssertTrue(threshold.hasPrefix("threshold    "), threshold)
        XCTAssertTrue(threshold.hasSuffix(": ae-score's default (density, quantile 0.99)"), threshold)
        XCTAssertEqual(lines.count, calibration + 3)
        XCTAssertLessThanOrEqual(lines.count, 24, "one screen")
    }

    func testTheSummaryOfAVAE() throws {
        try succeed("ae-fit x.ndjson -o vae.h5 --kind vae --hidden 16,8 --latent 3 --epochs 4 --image 2x4 --quiet")
        let text = try succeed("AE_MODEL=vae.h5 ae-info").stdoutText
        for expected in [
            "model        vae.h5: vae (model format 1",
            "network      8 -> 16 -> 8 -> 3 -> 8 -> 16 -> 8; relu, loss mse, 646 parameters",
            "             encoder/logvar   8 -> 3, 27 parameters",
            "normalise    standard",
            "data         300 training rows, 0 validation rows (--val 0), 8 values each, images 2x4",
            "training     4 of 4 epochs run;",
            "calibration  reconstruction (300 training rows): q0.5 ",
            "             density (300 training rows): q0.5 ",
            "             elbo (300 training rows): q0.5 ",
            "             iwae (300 training rows): q0.5 ",
            ": ae-score's default (elbo, quantile 0.99)",
        ] {
            XCTAssertTrue(text.contains(expected), "no '\(expected)' in\n\(text)")
        }
        XCTAssertTrue(text.contains("fit summary  active_dimensions: "), text)
        XCTAssertTrue(text.contains("kept_validation_loss: none"), "no validation rows:\n\(text)")
    }

    /// ae-score flags exactly the rows that score above the threshold
    /// ae-info names, and jq reads the rest of the object.
    func testJSONReadByJqGivesAeScoresThreshold() throws {
        try ToolRunner.requireJq()
        try succeed("ae-fit x.ndjson -o vae.h5 --kind vae --hidden 16 --latent 2 --epochs 3 --val 0.2 --quiet")
        let facts = try succeed(
            "ae-info --json vae.h5 | jq -r '.kind, .parameters, .layers[2].name, .training.epochs_run, .training.validation_rows, .threshold.method, (.calibration.scores | keys | join(\",\")), .feature_names, .summary.latent, .summary.threshold == .threshold.score'")
        XCTAssertEqual(facts.stdoutLines, ["vae", "396", "encoder/logvar", "3", "60", "elbo", "density,elbo,iwae,reconstruction", "null", "2", "true"])
        let disagreements = try succeed("""
            threshold=$(ae-info --json vae.h5 | jq .threshold.score)
            ae-score vae.h5 x.ndjson | jq -s --argjson t "$threshold" '[.[] | select((.score > $t) != .anomaly)] | length'
            """)
        XCTAssertEqual(disagreements.stdoutText, "0\n")
        let flagged = try succeed("ae-score vae.h5 x.ndjson | jq -s 'map(select(.anomaly)) | length'")
        XCTAssertNotEqual(flagged.stdoutText, "0\n", "the comparison above must see rows on both sides")
    }

    /// Whatever /summary holds besides what this ae-fit stores there, and a
    /// model's feature names, as h5py writes them, are shown by name.
    func testFitSummaryAndFeatureNamesAreShownAsTheFileHoldsThem() throws {
        try succeed("ae-fit x.ndjson -o m.h5 --hidden 16 --latent 2 --epochs 2 --quiet && cp m.h5 fixed.h5")
        _ = try ToolRunner.python("""
            import h5py, numpy as np
            with h5py.File("m.h5", "a") as f:
                s = f["summary"]
                s.attrs["test_count"] = 2
                s.attrs["test_nan"] = float("nan")
                s.attrs["test_sizes"] = np.array([2, 4, 8])
                s.attrs["test_losses"] = np.array([0.5, 0.25, 0.375])
                s.attrs["test_notes"] = np.array(["few rows", "latent 8 unused"], dtype=h5py.string_dtype())
                s.attrs["test_flag"] = True
                f.attrs["feature_names"] = np.array(list("abcdefgh"), dtype=h5py.string_dtype())
            with h5py.File("fixed.h5", "a") as f:
                f["preprocess"].create_dataset("feature_names", data=np.array([b"s%d" % i for i in range(8)], dtype="S4"))
            """, needs: ["h5py", "numpy"], in: directory)
        let text = try succeed("ae-info m.h5").stdoutText
        XCTAssertTrue(text.contains("features     8: a, b, c, d, e, f, g, h\n"), text)
        let summary = text.split(separator: "\n").drop { !$0.hasPrefix("fit summary") }.prefix { !$0.hasPrefix("calibration") }
            .map { $0.dropFirst(13) }.joined(separator: " ")
        for expected in [
            "kept_epoch: 2,", "test_count: 2,", "test_flag: true,", "test_losses: [0.5, 0.25, 0.375],",
            "test_nan: none,", "test_notes: \"few rows\", \"latent 8 unused\",", "test_sizes: [2, 4, 8],",
        ] {
            XCTAssertTrue(summary.contains(expected), "no '\(expected)' in the fit summary: \(summary)")
        }
        XCTAssertTrue(try succeed("ae-info fixed.h5").stdoutText.contains("features     8: s0, s1, s2, s3, s4, s5, s6, s7\n"))

        try ToolRunner.requireJq()
        let json = try succeed(
            "ae-info --json m.h5 | jq -c '(.summary | with_entries(select(.key | startswith(\"test_\")))), .feature_names'")
        XCTAssertEqual(json.stdoutLines, [
            "{\"test_count\":2,\"test_flag\":true,\"test_losses\":[0.5,0.25,0.375],\"test_nan\":null,\"test_notes\":[\"few rows\",\"latent 8 unused\"],\"test_sizes\":[2,4,8]}",
            "[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\"]",
        ])
    }

    func testWithoutAModelItSaysWhereItLooked() throws {
        let result = try run("ae-info")
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "ae-info: no model: name one as the argument or in $AE_MODEL\n")
        let notAModel = try run("ae-info x.ndjson")
        XCTAssertEqual(notAModel.status, 1)
        XCTAssertTrue(notAModel.stderr.hasPrefix("ae-info: x.ndjson: "), notAModel.stderr)
        XCTAssertEqual(notAModel.stderr.filter { $0 == "\n" }.count, 1, notAModel.stderr)
    }
}
