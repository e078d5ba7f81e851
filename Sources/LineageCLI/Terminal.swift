import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writing to the terminal: stdout for results, stderr for errors and progress. Colour only on a
/// terminal (or into the pager, which shows it: `less -R`), and never when `NO_COLOR` is set to
/// anything (no-color.org) or `TERM` is `dumb`.
enum Terminal {
    static func standardError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Prints an error sentence to stderr; a negative verdict is labelled FAILED.
    static func error(_ message: String, verdict: Bool = false) {
        let label = verdict ? "lineage: FAILED:" : "lineage: error:"
        standardError((isTerminal(STDERR_FILENO) && colourAllowed ? "\u{1B}[31m\(label)\u{1B}[0m " : label + " ") + message + "\n")
    }

    static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }

    /// Colours text for stdout when stdout is a terminal and NO_COLOR is unset.
    static func styled(_ text: String, _ code: String) -> String {
        guard useColour else { return text }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }

    /// Whether stdout gets colour: decided once, on first use, which `Pager.start` makes happen while
    /// stdout is still the terminal.
    static let useColour: Bool = isatty(STDOUT_FILENO) == 1 && colourAllowed

    /// False when the user turned colour off: `NO_COLOR` set and not empty, or `TERM=dumb`.
    static var colourAllowed: Bool {
        (Environment.value("NO_COLOR") ?? "").isEmpty && Environment.value("TERM") != "dumb"
    }

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
    /// A progress reporter on one stderr line, only when stderr is a terminal: the count and the
    /// rate, and, when `fraction` can tell how much of the work is done (0...1), the percentage and
    /// the time left. Call the returned `finish` to clear the line.
    static func counter(_ label: String, unit: String, fraction: (() -> Double?)? = nil)
        -> (update: (UInt64) -> Void, finish: () -> Void)? {
        guard isTerminal(STDERR_FILENO) else { return nil }
        let started = Date()
        var last = Date.distantPast
        return ({ done in
            let now = Date()
            guard now.timeIntervalSince(last) > 0.1 else { return }
            last = now
            let elapsed = now.timeIntervalSince(started)
            var line = "\r\(label): "
            let part = fraction?()
            if let part, part > 0 { line += "\(Int(min(part, 1) * 100))%, " }
            line += "\(done) \(unit)"
            if elapsed >= 0.5 { line += ", \(Int(Double(done) / elapsed))/s" }
            if let part, part > 0.01, elapsed >= 1 { line += ", " + duration(elapsed * (1 - part) / part) + " left" }
            standardError(line + "\u{1B}[K")
        }, { standardError("\r\u{1B}[K") })
    }

    /// "42s", "3m 05s", "1h 02m".
    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return "\(whole / 60)m " + String(format: "%02ds", whole % 60) }
        return "\(whole / 3600)h " + String(format: "%02dm", whole / 60 % 60)
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
