/// The reader of an output went away (`ae-score … | head -1`): EPIPE from a
/// write. Not a failure to report: the tool's main ends quietly with status
/// 141, the status a default SIGPIPE gives (`ToolCommand`). Nothing may catch
/// it on the way there but to pass it on.
public struct ReaderClosed: Error {
    /// The output's name: a file name or `<stdout>`.
    public let output: String

    public init(output: String) {
        self.output = output
    }
}
