import ArgumentParser
import AECLI
import AECore
import AEIO

@main
struct Info: ToolCommand {
    static let configuration = CommandConfiguration(
        commandName: "ae-info",
        abstract: "Show what a model file holds, in one screen.",
        discussion: """
            Prints the model's kind, layers and parameter count, its feature names, \
            normalisation, training settings and data shape, the fit summary ae-fit \
            stored, the score quantiles of its calibration and ae-score's default \
            threshold, and the version of ae that wrote it. --json prints the same as \
            one JSON object, with the model file's names for each fact.
            """,
        version: ToolVersion.string)

    static let manual = ToolManual(examples: [
        .init("Show a model's summary:", "ae-info m.h5"),
        .init("The threshold ae-score uses by default:", "ae-info --json m.h5 | jq .threshold.score"),
        .init("The score below which 95% of the calibration rows lie:",
              "ae-info --json m.h5 | jq '.calibration.scores.reconstruction.quantiles[\"0.95\"]'"),
    ], environment: [("AE_MODEL", "The model file, when none is named as the argument.")], succeeded: "Success.")

    @Argument(help: ArgumentHelp("The model file (default: $AE_MODEL).", valueName: "model"), completion: .file())
    var model: String?

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        try ModelSummary.read(ModelLocator.path(explicit: model)).write(asJSON: json)
    }
}
