import Foundation
import AECLI
import AECore
import AEIO
import XCTest

/// The two inputs that used to stop ae-score halfway with `cannot write
/// -nan` / `cannot write inf`: a column constant in training (exactly, or up
/// to rounding) that moves in a scored row, and extreme but finite values.
/// Every model kind and normalisation must give every row a finite score,
/// flag the odd rows, and go on to the end of the stream.
final class FiniteScoreTests: XCTestCase {
    /// Training rows: two varying columns around 20, one exactly constant
    /// (5), one constant up to float rounding (1000 and the next Float, 6e-5
    /// above it: a spread of 6e-8 of its size, not 0).
    private func trainingRows() -> String {
        var generator = SeededGenerator(seed: 3)
        return (0..<300).map { i -> String in
            let a = 20 + generator.gaussian(), b = 20 + 0.5 * generator.gaussian()
            let nearlyConstant = i % 3 == 0 ? Float(1000) : Float(1000).nextUp
            return "[\(Float(a)),\(Float(b)),5,\(nearlyConstant)]"
        }.joined(separator: "\n") + "\n"
    }

    func testMovingConstantsAndExtremeValuesScoreFiniteAndAreFlagged() throws {
        let directory = try makeScratchDirectory()
        try trainingRows().write(to: directory.appendingPathComponent("train.ndjson"), atomically: false, encoding: .utf8)
        let scored = [
            ("ordinary", "[20.1,19.9,5,1000]", false),
            ("constant moves", "[20,20,6,1000]", true),
            ("near-constant moves", "[20,20,5,1500]", true),
            ("1e30", "[1e30,20,5,1000]", true),
            ("3e38", "[20,-3e38,5,1000]", true),
            ("sentinel -9999", "[-9999,20,5,1000]", true),
            ("ordinary after", "[19.8,20.2,5,1000]", false),
        ]
        try (scored.map { "{\"case\":\"\($0.0)\",\"x\":\($0.1)}" }.joined(separator: "\n") + "\n")
            .write(to: directory.appendingPathComponent("scored.ndjson"), atomically: false, encoding: .utf8)
        for kind in ["ae", "vae"] {
            for normalize in ["standard", "minmax", "none"] {
                let model = "\(kind)-\(normalize).h5"
                let fit = try ToolRunner.shell(
                    "ae-fit train.ndjson -o \(model) --kind \(kind) --normalize \(normalize) --epochs 20 --quiet", in: directory)
                XCTAssertEqual(fit.status, 0, fit.stderr)
                let methods = kind == "vae" ? ["elbo", "iwae", "density", "reconstruction"] : ["density", "reconstruction"]
                for method in methods {
                    let run = try ToolRunner.shell("ae-score \(model) scored.ndjson --method \(method)", in: directory)
                    let context = "\(kind) --normalize \(normalize) --method \(method)"
                    XCTAssertEqual(run.status, 0, "\(context): \(run.stderr)")
                    let rows = try run.stdoutText.split(separator: "\n").map {
                        try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
                    }
                    XCTAssertEqual(rows.count, scored.count, "\(context): the stream goes on to its end")
                    for (row, expected) in zip(rows, scored) {
                        let score = try XCTUnwrap(row["score"] as? Double, "\(context) \(expected.0)")
                        XCTAssertTrue(score.isFinite, "\(context) \(expected.0)")
                        // Under --normalize none a constant column's move of 1
                        // is as small as the other columns' noise; only the
                        // density score, which weighs each column by its
                        // typical error, must flag it there.
                        let moderate = expected.0.hasSuffix("moves")
                        if expected.2, normalize != "none" || method == "density" || !moderate {
                            XCTAssertEqual(row["anomaly"] as? Bool, true, "\(context) \(expected.0) is flagged")
                        } else if !expected.2 {
                            XCTAssertEqual(row["anomaly"] as? Bool, false, "\(context) \(expected.0) is not flagged")
                        }
                    }
                }
            }
        }
    }

    func testEncodeAndDecodeStayFiniteOnExtremeRowsAndCodes() throws {
        let directory = try makeScratchDirectory()
        try trainingRows().write(to: directory.appendingPathComponent("train.ndjson"), atomically: false, encoding: .utf8)
        for kind in ["ae", "vae"] {
            XCTAssertEqual(try ToolRunner.shell(
                "ae-fit train.ndjson -o \(kind).h5 --kind \(kind) --epochs 5 --quiet", in: directory).status, 0)
            let encoded = try ToolRunner.shell(
                "printf '[1e30,-3e38,6,1000]\\n' | ae-encode \(kind).h5 --no-header \(kind == "vae" ? "--sample" : "")",
                in: directory)
            XCTAssertEqual(encoded.status, 0, encoded.stderr)
            XCTAssertFalse(encoded.stdoutText.contains("nan") || encoded.stdoutText.contains("inf"), encoded.stdoutText)
            let code = try XCTUnwrap(JSONSerialization.jsonObject(
                with: Data(encoded.stdoutText.split(separator: "\n")[0].utf8)) as? [Any])
            let codes = "[" + Array(repeating: "3e38", count: code.count).joined(separator: ",") + "]"
            let decoded = try ToolRunner.shell("printf '\(codes)\\n' | ae-decode \(kind).h5 --no-header", in: directory)
            XCTAssertEqual(decoded.status, 0, decoded.stderr)
            let values = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(decoded.stdoutText.utf8)) as? [Double])
            XCTAssertEqual(values.count, 4)
            XCTAssertTrue(values.allSatisfy(\.isFinite), decoded.stdoutText)
        }
    }
}
