import AECore
import CHDF5

/// Switches off HDF5's own error printing for the calling thread.
///
/// ae reports every failure as one `AEError` line; the library's multi-line
/// diagnostics must never reach stderr. Debian's HDF5 is a thread-safe build,
/// where that setting lives per thread, so every entry point calls this.
func silenceHDF5Diagnostics() {
    ae_h5e_silence_this_thread()
}

/// The descriptions on HDF5's error stack right after a failed call.
///
/// The library knows the operating-system reason for an I/O failure (for
/// example "Permission denied" or "No space left on device") only as text
/// inside these descriptions, so ae reads them to say why, not just that, a
/// call failed.
struct HDF5ErrorStack {
    let descriptions: [String]

    /// Takes the calling thread's current error stack, which also clears it.
    static func takeCurrent() -> HDF5ErrorStack {
        let stack = H5Eget_current_stack()
        guard stack >= 0 else { return HDF5ErrorStack(descriptions: []) }
        defer { H5Eclose_stack(stack) }
        final class Collector { var descriptions: [String] = [] }
        let collector = Collector()
        H5Ewalk2(stack, H5E_WALK_UPWARD, { _, error, context in
            if let description = error?.pointee.desc, let context {
                Unmanaged<Collector>.fromOpaque(context).takeUnretainedValue()
                    .descriptions.append(String(cString: description))
            }
            return 0
        }, Unmanaged.passUnretained(collector).toOpaque())
        return HDF5ErrorStack(descriptions: collector.descriptions)
    }

    /// The operating system's message, as HDF5 quotes it in
    /// `... errno = 13, error message = 'Permission denied' ...`.
    var systemMessage: String? {
        let marker = "error message = '"
        for description in descriptions {
            guard let start = description.firstRange(of: marker)?.upperBound,
                  let end = description[start...].firstIndex(of: "'")
            else { continue }
            return String(description[start..<end])
        }
        return nil
    }

    func mentions(_ text: String) -> Bool {
        descriptions.contains { $0.contains(text) }
    }
}
