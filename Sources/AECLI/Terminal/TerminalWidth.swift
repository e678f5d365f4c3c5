import AECore
import AEIO
import FoundationEssentials
import Glibc

/// How many columns the terminal on stderr has, so a line redrawn in place
/// can be kept from wrapping.
public enum TerminalWidth {
    /// The terminal's own width; else `$COLUMNS`; else 80, for a terminal
    /// that reports none (a pseudo-terminal may not).
    public static func ofStandardError() -> Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap({ Int($0) }), columns > 0 {
            return columns
        }
        return 80
    }
}
