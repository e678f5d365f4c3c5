import AECore

/// A JSON syntax problem at a byte offset within one line.
///
/// The scanning code throws this small value instead of `AEError` so the hot
/// loops carry no source name or line number; the row reader adds those when
/// it turns the offset into a 1-based column.
struct JSONSyntaxError: Error, Equatable {
    let message: String
    let offset: Int

    init(_ message: String, at offset: Int) {
        self.message = message
        self.offset = offset
    }
}
