import Foundation

/// Rules for user-chosen names (datasets, models, runs, environments) and prediction ids.
public enum Names {
    /// True if the NUL-terminated `text` is valid UTF-8 (no overlong forms, surrogates or code
    /// points past U+10FFFF). Written out: `String(validatingCString:)` cost every command ~0.3 ms
    /// of start-up (generic Unicode machinery looked up at run time).
    public static func isValidUTF8(_ text: UnsafePointer<CChar>) -> Bool {
        var p = UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self)
        while p.pointee != 0 {
            let lead = p.pointee
            if lead < 0x80 { p += 1; continue }
            let count: Int, minimum: UInt32
            switch lead {
            case 0xC2...0xDF: (count, minimum) = (1, 0x80)
            case 0xE0...0xEF: (count, minimum) = (2, 0x800)
            case 0xF0...0xF4: (count, minimum) = (3, 0x10000)
            default: return false
            }
            var scalar = UInt32(lead) & (0x3F >> count)
            for k in 1...count {
                let next = p[k]
                guard next & 0xC0 == 0x80 else { return false }
                scalar = scalar << 6 | UInt32(next & 0x3F)
            }
            guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else { return false }
            p += count + 1
        }
        return true
    }

    /// The longest name accepted.
    public static let maximumLength = 128
    /// The longest prediction id accepted.
    public static let maximumPredictionIDLength = 256

    /// Checks a name: letters, digits, '.', '_' and '-', starting with a letter or digit, no "..".
    /// - Parameter what: how to call the name in the error, e.g. "dataset name".
    public static func validate(_ name: String, what: String) throws(RecordError) {
        let rule = "use letters, digits, '.', '_' and '-', start with a letter or digit, and do not contain '..'"
        guard !name.isEmpty else { throw RecordError("the \(what) is empty: names \(rule)") }
        guard name.utf8.count <= maximumLength else {
            throw RecordError("the \(what) is longer than \(maximumLength) bytes")
        }
        let shown = printable(name)
        guard name.utf8.allSatisfy(isNameByte), isAlphanumeric(name.utf8.first!), !name.contains("..") else {
            throw RecordError("the \(what) \(shown) is not allowed: names \(rule)")
        }
    }

    /// Checks a caller's prediction id: 1 to 256 printable ASCII characters, no spaces.
    public static func validatePredictionID(_ id: String) throws(RecordError) {
        guard isAllowedPredictionID(id.utf8) else {
            throw RecordError("the prediction id \(printable(id)) is not allowed: use 1 to 256 printable ASCII characters without spaces")
        }
    }

    /// The prediction id rule: 1 to 256 printable ASCII characters without spaces.
    static func isAllowedPredictionID(_ utf8: some Collection<UInt8>) -> Bool {
        !utf8.isEmpty && utf8.count <= maximumPredictionIDLength && utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    /// The nearest allowed name to `text`: disallowed characters become '-', leading ones are dropped.
    public static func sanitized(_ text: String) -> String? {
        var name = String(text.unicodeScalars.map { $0.isASCII && isNameByte(UInt8($0.value)) ? Character($0) : "-" })
        while let first = name.utf8.first, !isAlphanumeric(first) { name.removeFirst() }
        while name.contains("..") { name = name.replacingOccurrences(of: "..", with: "-") }
        name = String(name.prefix(maximumLength))
        return name.isEmpty ? nil : name
    }

    /// The name of a dataset or model that an import took from a file path (`data/raw.csv` ->
    /// `data-raw.csv`): '/' and other disallowed characters become '-'.
    public static func forPath(_ path: String) -> String? {
        sanitized(path.replacingOccurrences(of: "/", with: "-"))
    }

    /// `text` without the whitespace (spaces, tabs, line ends) at either end. Written out: Foundation's
    /// `trimmingCharacters(in:)` costs each process ~0.1 ms on first use, on every write's path.
    public static func trimmed(_ text: String) -> Substring {
        guard let first = text.firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let last = text.lastIndex { !$0.isWhitespace }!
        return text[first...last]
    }

    /// A quoted form of untrusted text that is safe to print on a terminal.
    public static func printable(_ text: String) -> String {
        var out = "'"
        for scalar in text.unicodeScalars.prefix(80) {
            if scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) {
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out + (text.unicodeScalars.count > 80 ? "…'" : "'")
    }

    static func isAlphanumeric(_ b: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(b)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b)
    }

    /// True for bytes allowed in names.
    public static func isNameByte(_ b: UInt8) -> Bool {
        isAlphanumeric(b) || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
    }
}
