import Foundation
import XCTest

/// The bash completions the tools generate, as bash runs them: option values
/// come from the same definitions as --help, and file arguments complete
/// file names.
final class CompletionTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try makeScratchDirectory()
        for name in ["rows.ndjson", "model.h5"] {
            try Data().write(to: directory.appendingPathComponent(name))
        }
    }

    /// The words bash offers for the last word of `line` (which ends in a
    /// space when a new word is being started), sorted.
    private func completions(_ line: String) throws -> [String] {
        let tool = String(line.prefix { $0 != " " })
        let script = """
            source <(\(tool) --generate-completion-script bash)
            line='\(line)'
            read -ra COMP_WORDS <<< "$line"
            [[ "$line" == *" " ]] && COMP_WORDS+=("")
            COMP_LINE=$line COMP_POINT=${#line} COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
            _\(tool) \(tool) "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        let result = try ToolRunner.shell(script, in: directory)
        XCTAssertEqual(result.status, 0, result.stderr)
        return result.stdoutLines.sorted()
    }

    func testOptionValuesAndFileNamesComplete() throws {
        XCTAssertEqual(try completions("ae-fit --kind "), ["ae", "vae"])
        XCTAssertEqual(try completions("ae-fit --activation "), ["elu", "identity", "leaky-relu", "relu", "sigmoid", "tanh"])
        XCTAssertEqual(try completions("ae-fit rows.ndjson -o "), ["model.h5", "rows.ndjson"])
        XCTAssertEqual(try completions("ae-encode model.h5 r"), ["rows.ndjson"])
        XCTAssertEqual(try completions("ae-decode --format "), ["csv", "h5", "ndjson", "tsv"])
        XCTAssertEqual(try completions("ae-interp --meth"), ["--method"])
        XCTAssertEqual(try completions("ae-score --method "), ["density", "elbo", "iwae", "reconstruction"])
        XCTAssertEqual(try completions("ae-score model.h5 rows.ndjson --names "), ["model.h5", "rows.ndjson"])
    }
}
