/// The end of a run that Ctrl-C stopped: `ToolCommand` prints its message as
/// `tool: message` and exits with status 130, like a tool killed by SIGINT.
public struct Interrupted: Error, Equatable {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    /// What ae-fit says once it has written the model that Ctrl-C stopped
    /// the training of.
    public static func fit(_ model: TrainedModel, writtenTo path: String) -> Interrupted {
        let record = model.training
        let epochs = record?.history.count ?? 0
        var message = "interrupted after \(epochs) of \(record?.settings.epochs ?? 0) epochs: wrote "
        if let best = record?.bestValidationEpoch {
            message += "the best model so far (epoch \(best), by validation loss) to \(path)"
        } else {
            message += "the model as trained so far to \(path)"
        }
        return Interrupted(message)
    }
}
