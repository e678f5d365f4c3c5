import AECore
import AEIO

/// The parts of a tool's man page that swift-argument-parser's
/// generate-manual has no place for: its environment, exit statuses and
/// examples. Each tool defines its own beside its options (`ToolCommand`'s
/// `manual`); `scripts/man-pages` gets them from `TOOL --man-sections`, as
/// mdoc, and puts them into the page it generates from the options.
public struct ToolManual: Sendable {
    /// A command line and what it does.
    public struct Example: Sendable {
        public var what: String
        public var command: String

        public init(_ what: String, _ command: String) {
            self.what = what
            self.command = command
        }
    }

    public var examples: [Example]
    public var environment: [(name: String, meaning: String)]
    public var exitStatuses: [(status: Int, meaning: String)]

    /// `succeeded` and `interrupted` say what statuses 0 and 130 mean for
    /// the tool.
    public init(
        examples: [Example], environment: [(name: String, meaning: String)] = [Self.modelVariable],
        succeeded: String = "Success, also for an empty input, which gives an empty output.",
        interrupted: String = Self.interruptedByCtrlC
    ) {
        self.examples = examples
        self.environment = environment
        exitStatuses = [
            (0, succeeded),
            (1, "Bad data or a runtime failure, reported in one line on stderr: TOOL: file:line:column: what was wrong."),
            (2, "A usage error: an unknown option or an invalid value."),
            (130, interrupted),
            (141, "The reader of stdout went away (as with | head -1); nothing is reported."),
        ]
    }

    public static let modelVariable = (
        name: "AE_MODEL",
        meaning: "The model file, when none is named as an argument or in the header record of the input stream.")

    public static let interruptedByCtrlC =
        "Interrupted by Ctrl-C (SIGINT); unfinished output files are removed (SIGTERM gives 143, SIGHUP 129)."

    /// The sections as mdoc for `tool`'s page, in the order man pages keep them.
    public func mdoc(tool: String) -> String {
        var lines: [String] = []
        if !environment.isEmpty {
            lines += [".Sh ENVIRONMENT", ".Bl -tag -width 6n"]
            for variable in environment { lines += [".It Ev \(variable.name)", Self.text(variable.meaning)] }
            lines.append(".El")
        }
        lines += [".Sh \"EXIT STATUS\"", ".Bl -tag -width 6n"]
        for exit in exitStatuses {
            lines += [".It \(exit.status)", Self.text(exit.meaning.replacing("TOOL", with: tool))]
        }
        lines += [".El", ".Sh EXAMPLES"]
        for (k, example) in examples.enumerated() {
            if k > 0 { lines.append(".Pp") }
            lines += [Self.text(example.what), ".Bd -literal -offset indent", Self.text(example.command), ".Ed"]
        }
        return lines.joined(separator: "\n")
    }

    /// A line of text for roff: backslashes escaped, and a leading period or
    /// apostrophe kept from reading as a request.
    private static func text(_ line: String) -> String {
        let escaped = line.replacing("\\", with: "\\e")
        return escaped.first == "." || escaped.first == "'" ? "\\&" + escaped : escaped
    }
}
