import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writing to the terminal: stdout for results, stderr for errors and progress, colour only on a tty.
enum Terminal {
    static func standardError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Prints an error sentence to stderr; a negative verdict is labelled FAILED.
    static func error(_ message: String, verdict: Bool = false) {
        let label = verdict ? "lineage: FAILED:" : "lineage: error:"
        standardError((isTerminal(STDERR_FILENO) ? "\u{1B}[31m\(label)\u{1B}[0m " : label + " ") + message + "\n")
    }

    static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }

    /// Colours text for stdout when stdout is a terminal and NO_COLOR is unset.
    static func styled(_ text: String, _ code: String) -> String {
        guard useColour else { return text }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }

    static let useColour: Bool = isatty(STDOUT_FILENO) == 1 && Environment.value("NO_COLOR") == nil

    /// A progress reporter that redraws one stderr line, only when stderr is a terminal.
    static func progress(_ label: String) -> ((Int64, Int64) -> Void)? {
        guard isTerminal(STDERR_FILENO) else { return nil }
        var last = Date.distantPast
        return { done, total in
            let now = Date()
            guard now.timeIntervalSince(last) > 0.1 || done == total else { return }
            last = now
            let percent = total > 0 ? Int(done * 100 / total) : 100
            standardError("\r\(label): \(percent)% of \(ByteCount.format(total))\u{1B}[K" + (done == total ? "\r\u{1B}[K" : ""))
        }
    }
}

extension Terminal {
    /// A progress reporter counting items on one stderr line, only when stderr is a terminal;
    /// call the returned `finish` to clear the line.
    static func counter(_ label: String, unit: String) -> (update: (UInt64) -> Void, finish: () -> Void)? {
        guard isTerminal(STDERR_FILENO) else { return nil }
        var last = Date.distantPast
        return ({ done in
            let now = Date()
            guard now.timeIntervalSince(last) > 0.1 else { return }
            last = now
            standardError("\r\(label): \(done) \(unit)\u{1B}[K")
        }, { standardError("\r\u{1B}[K") })
    }
}

/// Human-readable byte counts.
enum ByteCount {
    static func format(_ bytes: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f ", value) + units[unit]
    }
}
