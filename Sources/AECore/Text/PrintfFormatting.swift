import Glibc

extension String {
    /// C's `printf` formatting, e.g. `String(printf: "%.4f", loss)`: the
    /// digits Foundation's `String(format:)` gives, without Foundation, whose
    /// ICU data would make every tool 34 MB larger. Integers take `%ld`.
    public init(printf format: String, _ arguments: CVarArg...) {
        let count = Int(withVaList(arguments) { vsnprintf(nil, 0, format, $0) })
        var text = [CChar](repeating: 0, count: count + 1)
        _ = withVaList(arguments) { vsnprintf(&text, text.count, format, $0) }
        self.init(decoding: text.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
