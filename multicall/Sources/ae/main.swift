import Glibc

// One program for all the tools: it runs the tool whose name it was started
// under (argv[0], a link to it), so the tools share one copy of what they
// are linked with. Each entry point is the tool's @main, renamed by
// multicall/Package.swift.

typealias Arguments = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>

@_silgen_name("ae_fit_tool_main") func fit(_ count: Int32, _ arguments: Arguments) -> Int32
@_silgen_name("ae_encode_tool_main") func encode(_ count: Int32, _ arguments: Arguments) -> Int32
@_silgen_name("ae_decode_tool_main") func decode(_ count: Int32, _ arguments: Arguments) -> Int32
@_silgen_name("ae_score_tool_main") func score(_ count: Int32, _ arguments: Arguments) -> Int32
@_silgen_name("ae_interp_tool_main") func interp(_ count: Int32, _ arguments: Arguments) -> Int32
@_silgen_name("ae_info_tool_main") func info(_ count: Int32, _ arguments: Arguments) -> Int32

let tools: KeyValuePairs<String, (Int32, Arguments) -> Int32> = [
    "ae-fit": fit, "ae-encode": encode, "ae-decode": decode, "ae-score": score, "ae-interp": interp, "ae-info": info,
]

let name = CommandLine.arguments.first?.split(separator: "/").last.map(String.init) ?? ""
guard let tool = tools.first(where: { $0.key == name })?.value else {
    let names = tools.map(\.key).joined(separator: ", ")
    fputs("ae: run this program under the name of a tool (a link to it): \(names)\n", stderr)
    exit(2)
}
exit(tool(CommandLine.argc, CommandLine.unsafeArgv))
