import AECore
import Foundation
import XCTest

/// ae's files and streams read by the clients people use with them: h5py and
/// numpy, pandas, PIL, jq. Each test skips, saying what to install, when its
/// client is missing; `make test` installs them (Debian: python3-h5py
/// python3-numpy python3-pandas python3-pil jq).
final class InteropTests: ScratchDirectoryTestCase {
    private func python(_ script: String, needs modules: [String]) throws -> String {
        try ToolRunner.python(script, needs: modules, in: directory)
    }

    /// The README's numpy code that rebuilds `encode` from the model file.
    private func readmeEncode() throws -> String {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let afterIntroduction = try XCTUnwrap(text.range(of: "Rebuilding `encode` in numpy"), "README.md lost its numpy example")
        let start = try XCTUnwrap(text.range(of: "```python\n", range: afterIntroduction.upperBound..<text.endIndex))
        let end = try XCTUnwrap(text.range(of: "```", range: start.upperBound..<text.endIndex))
        return String(text[start.upperBound..<end.lowerBound])
    }

    /// The largest difference between the codes that `encode` (the README's
    /// block) computes from the rows in `rows` and ae-encode's in z.ndjson.
    private func largestDifference(_ encode: String, rows: String) throws -> Double {
        let printed = try python(
            """
            import json
            import numpy as np
            x = np.array([json.loads(line)["x"] for line in open("\(rows)")])
            \(encode)
            expected = np.array([json.loads(line)["z"] for line in open("z.ndjson")])
            assert z.shape == expected.shape, (z.shape, expected.shape)
            print(float(np.abs(z - expected).max()))
            """, needs: ["h5py", "numpy"])
        return try XCTUnwrap(Double(printed.trimmingCharacters(in: .whitespacesAndNewlines)), printed)
    }

    func testTheREADMEsNumpyEncodeMatchesAeEncodeForEveryActivation() throws {
        let encode = try readmeEncode()
        let models = [
            "--kind vae --activation elu --hidden 16,8 --latent 3",
            "--activation relu --normalize minmax",
            "--activation leaky-relu --loss bce --hidden 12",
            "--kind vae --activation tanh --normalize none",
            "--activation sigmoid --hidden 6,5,4",
            "--kind vae --activation identity --latent 4",
        ]
        for options in models {
            try succeed("ae-fit x.ndjson -o m.h5 --epochs 3 --quiet \(options) && ae-encode m.h5 x.ndjson --no-header > z.ndjson")
            XCTAssertLessThan(try largestDifference(encode, rows: "x.ndjson"), 1e-5, options)
        }
    }

    /// The same block rebuilds a --conv model's encoder (grey and RGB,
    /// strides 2 and 1, with a dense layer after the convolutions).
    func testTheREADMEsNumpyEncodeMatchesAeEncodeForConvolutionalModels() throws {
        let encode = try readmeEncode()
        var generator = SeededGenerator(seed: 9)
        for (image, values) in [("8x8", 64), ("8x4x3", 96)] {
            let rows = (0..<40).map { _ in "{\"x\":[" + (0..<values).map { _ in String(Float(generator.uniform())) }.joined(separator: ",") + "]}" }
            try (rows.joined(separator: "\n") + "\n").write(to: directory.appendingPathComponent("images.ndjson"), atomically: false, encoding: .utf8)
            for options in ["--kind vae --conv 4,6 --loss bce", "--conv 5 --kernel 3 --stride 1 --hidden 7 --activation tanh"] {
                try succeed("ae-fit images.ndjson -o m.h5 --image \(image) --epochs 2 --latent 3 --quiet \(options) && ae-encode m.h5 images.ndjson --no-header > z.ndjson")
                XCTAssertLessThan(try largestDifference(encode, rows: "images.ndjson"), 1e-4, "\(image) \(options)")
            }
        }
    }

    func testH5pyReadsAeEncodesHDF5OutputAsTheNDJSONValues() throws {
        try succeed("ae-fit x.ndjson -o m.h5 --kind vae --latent 2 --epochs 2 --quiet")
        try succeed("ae-encode m.h5 x.ndjson --with-logvar -o z.h5 && ae-encode m.h5 x.ndjson --with-logvar --no-header > z.ndjson")
        let report = try python(
            """
            import json
            import h5py
            import numpy as np
            rows = [json.loads(line) for line in open("z.ndjson")]
            f = h5py.File("z.h5", "r")
            header = json.loads(f.attrs["ae"])
            for name in ("z", "logvar"):
                data = f[name]
                assert data.dtype == np.float32 and data.shape == (300, 2), (name, data.dtype, data.shape)
                assert (data[:] == np.array([row[name] for row in rows], dtype=np.float32)).all(), name
            assert f["id"].dtype == np.int64 and list(f["id"][:]) == [row["id"] for row in rows]
            print(header["space"], header["width"], sorted(f.keys()))
            """, needs: ["h5py", "numpy"])
        XCTAssertEqual(report, "latent 2 ['id', 'logvar', 'z']\n")
    }

    /// NDJSON rows with an id, a text label and other members, for the
    /// tabular outputs: x.ndjson's rows with members added.
    private func writeLabelledRows() throws {
        let labels = ["plain", "a, b", "say \"hi\"", "two\nlines", "é"]
        let rows = try String(contentsOf: directory.appendingPathComponent("x.ndjson"), encoding: .utf8)
            .split(separator: "\n").enumerated().map { k, line -> String in
                let label = try XCTUnwrap(String(data: JSONSerialization.data(withJSONObject: [labels[k % labels.count]]), encoding: .utf8))
                return "{\"label\":\(label.dropFirst().dropLast()),\"weight\":\(Double(k) / 4),\"flag\":\(k % 3 == 0),"
                    + line.dropFirst()
            }
        try (rows.joined(separator: "\n") + "\n").write(to: directory.appendingPathComponent("labelled.ndjson"), atomically: false, encoding: .utf8)
        try (0..<8).map { "f\($0)" }.joined(separator: "\n").write(
            to: directory.appendingPathComponent("names.txt"), atomically: false, encoding: .utf8)
    }

    func testH5pyReadsIdsAndLabelsBesideTheCodesAndTheScores() throws {
        try writeLabelledRows()
        try succeed("ae-fit x.ndjson -o m.h5 --latent 2 --epochs 2 --quiet")
        try succeed("ae-encode m.h5 labelled.ndjson -o z.h5 --batch 7 && ae-score m.h5 labelled.ndjson -o s.h5 --batch 7")
        let report = try python(
            """
            import json
            import h5py
            import numpy as np
            rows = [json.loads(line) for line in open("labelled.ndjson")]
            for name in ("z.h5", "s.h5"):
                f = h5py.File(name, "r")
                assert list(f["id"][:]) == [row["id"] for row in rows]
                assert list(f["label"].asstr()[:]) == [row["label"] for row in rows]
                assert f["weight"].dtype == np.float64 and list(f["weight"][:]) == [row["weight"] for row in rows]
                assert f["flag"].dtype == np.uint8 and list(f["flag"][:]) == [int(row["flag"]) for row in rows]
                print(name, sorted(f.keys()), f["label"].asstr()[2] == "say \\"hi\\"")
            """, needs: ["h5py", "numpy"])
        XCTAssertEqual(report, """
            z.h5 ['flag', 'id', 'label', 'weight', 'z'] True
            s.h5 ['anomaly', 'flag', 'id', 'label', 'score', 'weight'] True

            """)
    }

    func testH5pyReadsHowAeScoreMadeItsScores() throws {
        try succeed("ae-fit x.ndjson -o vae.h5 --kind vae --latent 2 --epochs 2 --quiet")
        try succeed("ae-score vae.h5 x.ndjson -o default.h5 && ae-score vae.h5 x.ndjson -o c.h5 --method iwae --samples 4 --seed 7 --contamination 0.05")
        try succeed("ae-score vae.h5 x.ndjson -o t.h5 --threshold 2.5 --method reconstruction")
        let expected = try succeed("ae-score vae.h5 x.ndjson --quantile 0.99 -o q.ndjson && jq -s 'map(select(.anomaly)) | length' q.ndjson")
        let report = try python(
            """
            import os
            import h5py
            for name in ("default.h5", "c.h5", "t.h5"):
                attributes = dict(h5py.File(name, "r").attrs)
                assert attributes.pop("model") == os.path.abspath("vae.h5")
                print(name, sorted((key, round(value, 4) if isinstance(value, float) else value) for key, value in attributes.items() if key != "threshold"))
            f = h5py.File("default.h5", "r")
            print(int((f["score"][:] > f.attrs["threshold"]).sum()) == int(f["anomaly"][:].sum()), int(f["anomaly"][:].sum()))
            """, needs: ["h5py"])
        XCTAssertEqual(report, """
            default.h5 [('method', 'elbo'), ('quantile', 0.99), ('samples', 16), ('seed', 1), ('threshold_rule', 'quantile')]
            c.h5 [('contamination', 0.05), ('method', 'iwae'), ('samples', 4), ('seed', 7), ('threshold_rule', 'contamination')]
            t.h5 [('method', 'reconstruction'), ('threshold_rule', 'score')]
            True \(expected.stdoutText)
            """)
    }

    func testPandasReadsAeScoresCSV() throws {
        try writeLabelledRows()
        try succeed("ae-fit x.ndjson -o m.h5 --latent 2 --epochs 2 --quiet")
        try succeed("ae-score m.h5 labelled.ndjson --explain 2 --names names.txt -o scores.csv --batch 7")
        try succeed("ae-score m.h5 labelled.ndjson --explain 2 --names names.txt --batch 7 > scores.ndjson && ae-score m.h5 x.ndjson -o ids.tsv --keep --explain 1 --names names.txt")
        let report = try python(
            """
            import json
            import numpy as np
            import pandas as pd
            rows = [json.loads(line) for line in open("scores.ndjson")]
            table = pd.read_csv("scores.csv")
            print(list(table.columns))
            print(table.dtypes["id"], table.dtypes["flag"], table.dtypes["score"], table.dtypes["anomaly"])
            assert list(table["label"]) == [row["label"] for row in rows]
            assert list(table["id"]) == [row["id"] for row in rows]
            assert (table["score"].to_numpy(np.float32) == np.array([row["score"] for row in rows], dtype=np.float32)).all()
            assert list(table["anomaly"]) == [row["anomaly"] for row in rows]
            assert list(table["explain0_feature"]) == [row["explain"][0]["feature"] for row in rows]
            assert (table["explain1_share"].to_numpy(np.float32) == np.array([row["explain"][1]["share"] for row in rows], dtype=np.float32)).all()
            tsv = pd.read_csv("ids.tsv", sep="\\t")
            print(len(table), list(tsv.columns)[:3], len(tsv.columns), tsv["explain0_feature"].isin([f"f{k}" for k in range(8)]).all())
            """, needs: ["pandas", "numpy"])
        XCTAssertEqual(report, """
            ['label', 'weight', 'flag', 'id', 'score', 'anomaly', 'explain0_feature', 'explain0_share', 'explain1_feature', 'explain1_share']
            int64 bool float64 bool
            300 ['id', 'f0', 'f1'] 13 True

            """)
    }

    func testPILOpensAeDecodesPNGWithTheExpectedPixels() throws {
        try succeed("ae-fit x.ndjson -o m.h5 --latent 2 --epochs 2 --quiet --image 2x4")
        try succeed("ae-decode m.h5 --sample 5 --cols 3 --pad 1 --value-range=-1:1 -o grid.png && ae-decode m.h5 --sample 5 --no-header > rows.ndjson")
        // Three images across, two down, each 2x4 pixels, one pixel apart
        // and around; a value v is byte round((v + 1) * 255 / 2), clamped.
        let report = try python(
            """
            import json
            import numpy as np
            from PIL import Image
            image = Image.open("grid.png")
            rows = np.array([json.loads(line) for line in open("rows.ndjson")], dtype=np.float32)
            expected = np.zeros((2 * 2 + 3, 3 * 4 + 4), dtype=np.uint8)
            for k, row in enumerate(rows.astype(np.float64)):
                top, left = 1 + (k // 3) * 3, 1 + (k % 3) * 5
                expected[top:top + 2, left:left + 4] = np.clip(np.floor((row.reshape(2, 4) + 1) * (255 / 2) + 0.5), 0, 255)
            print(image.format, image.mode, image.size, int((np.asarray(image) != expected).sum()))
            """, needs: ["PIL", "numpy"])
        XCTAssertEqual(report, "PNG L (16, 7) 0\n")
    }

    /// What pandas writes (to_csv with a text column that needs quoting,
    /// to_json records as lines and as one array, to_csv gzipped) trains a
    /// model and scores alike, and pandas reads the scores back with the ids.
    func testPandasFramesTrainAndScoreInEveryFormItWrites() throws {
        let report = try python(
            """
            import io
            import subprocess
            import numpy as np
            import pandas as pd
            rng = np.random.default_rng(4)
            a, b = rng.normal(size=300), rng.normal(size=300)
            frame = pd.DataFrame({"id": [f"r{k}" for k in range(300)], "temp": a, "flow": b, "vib": a + b,
                                  "note": ['said "hi", then\\nleft' if k % 7 == 0 else "ok" for k in range(300)]})
            frame.to_csv("frame.csv", index=False)
            frame[["note", "vib", "id", "flow", "temp"]].to_csv("reordered.csv", index=False)
            frame.to_csv("frame.csv.gz", index=False)
            frame.to_json("frame.ndjson", orient="records", lines=True)
            frame.to_json("frame.json", orient="records")
            subprocess.run(["ae-fit", "frame.csv", "-o", "m.h5", "--epochs", "5", "--quiet"], check=True)
            def scores(path):
                out = subprocess.run(["ae-score", "m.h5", path, "--explain", "1"], check=True, capture_output=True, text=True).stdout
                return pd.read_json(io.StringIO(out), lines=True)
            reference = scores("frame.csv")
            same = [scores(p)[["id", "score", "note"]].equals(reference[["id", "score", "note"]])
                    for p in ["reordered.csv", "frame.csv.gz", "frame.ndjson", "frame.json"]]
            named = {e[0]["feature"] for e in reference["explain"]} <= {"temp", "flow", "vib"}
            print(list(reference["id"][:2]), reference["note"][0] == frame["note"][0], same, named)
            """, needs: ["pandas", "numpy"])
        XCTAssertEqual(report, "['r0', 'r1'] True [True, True, True, True] True\n")
    }

    func testJqSelectsAeScoresAnomalies() throws {
        try ToolRunner.requireJq()
        try succeed("ae-fit x.ndjson -o m.h5 --latent 2 --epochs 5 --quiet")
        // Five rows far outside the training data, ids 1000..1004.
        let outliers = (0..<5).map { k in #"{"id":\#(1000 + k),"x":[9,-9,9,-9,9,-9,9,-9]}"# }.joined(separator: "\n")
        try (outliers + "\n").write(to: directory.appendingPathComponent("outliers.ndjson"), atomically: false, encoding: .utf8)
        let scored = try succeed("cat x.ndjson outliers.ndjson | ae-score m.h5 > scored.ndjson && jq -c 'select(.anomaly) | .id' scored.ndjson")
        let flagged = scored.stdoutLines.compactMap { Int($0) }
        XCTAssertTrue(Set(1000...1004).isSubset(of: flagged), scored.stdoutText)
        let counted = try succeed("grep -c '\"anomaly\":true' scored.ndjson")
        XCTAssertEqual(counted.stdoutText, "\(flagged.count)\n")
        let highest = try succeed("jq -s -r 'max_by(.score) | .id' scored.ndjson")
        XCTAssertTrue((1000...1004).contains(Int(highest.stdoutText.trimmingCharacters(in: .newlines)) ?? -1), highest.stdoutText)
    }

    func testJqFiltersAeEncodesStream() throws {
        try ToolRunner.requireJq()
        try succeed("ae-fit x.ndjson -o m.h5 --latent 2 --epochs 2 --quiet")
        let selected = try succeed("ae-encode m.h5 x.ndjson | jq -c 'select(.id != null and .id % 100 == 7) | {id, n: (.z | length)}'")
        XCTAssertEqual(selected.stdoutLines, [#"{"id":7,"n":2}"#, #"{"id":107,"n":2}"#, #"{"id":207,"n":2}"#])
        let header = try succeed("ae-encode m.h5 x.ndjson | jq -r 'select(.ae) | .ae.space'")
        XCTAssertEqual(header.stdoutText, "latent\n")
        let everyLine = try succeed("ae-encode m.h5 x.ndjson | jq -s length")
        XCTAssertEqual(everyLine.stdoutText, "301\n")
    }
}
