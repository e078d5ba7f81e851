/// RFC 8785 (JSON Canonicalization Scheme) serialisation.
extension JSONValue {
    /// The canonical bytes of this value: sorted keys, no whitespace, ES6 number form, minimal escapes.
    public var canonicalBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        writeCanonical(into: &out)
        return out
    }

    /// The canonical form as a string.
    public var canonicalString: String { String(decoding: canonicalBytes, as: UTF8.self) }

    /// Appends the canonical bytes of this value to `out`.
    public func writeCanonical(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let n): out.append(contentsOf: CanonicalNumber.format(n).utf8)
        case .string(let s): CanonicalString.write(s, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                element.writeCanonical(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            for (i, member) in object.members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                CanonicalString.write(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                member.value.writeCanonical(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}

/// String escaping per RFC 8785 section 3.2.2.2.
enum CanonicalString {
    static func write(_ string: String, into out: inout [UInt8]) {
        // Most strings need no escaping: copy them whole.
        let copied = string.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            for byte in bytes where byte < 0x20 || byte == 0x22 || byte == 0x5C { return false }
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: bytes)
            out.append(UInt8(ascii: "\""))
            return true
        }
        if copied == true { return }
        out.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0..<0x20:
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                        Hex.digit(byte >> 4), Hex.digit(byte)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// Number formatting per ECMAScript's Number.prototype.toString, as RFC 8785 section 3.2.2.3 requires.
public enum CanonicalNumber {
    /// Formats a finite double the way ES6 `String(n)` does.
    public static func format(_ value: Double) -> String {
        precondition(value.isFinite, "JSON numbers are finite")
        if value == 0 { return "0" }
        if value < 0 { return "-" + format(-value) }
        if value < 1e15, value.rounded() == value { return String(Int64(value)) }
        // Swift's description is the shortest string that round-trips. Without an exponent and
        // without a ".0" ending, it is laid out as ES6 lays it out; otherwise re-lay its digits out.
        let text = value.description
        if !text.utf8.contains(UInt8(ascii: "e")), !text.hasSuffix(".0") { return text }
        return layOut(text)
    }

    /// The ES6 form of a positive double from its Swift description.
    static func layOut(_ text: String) -> String {
        let (digits, exponent) = decimalDigits(of: text)
        let k = digits.count, n = exponent
        if k <= n && n <= 21 {
            return digits + String(repeating: "0", count: n - k)
        }
        if 0 < n && n <= 21 {
            let split = digits.index(digits.startIndex, offsetBy: n)
            return digits[..<split] + "." + digits[split...]
        }
        if -6 < n && n <= 0 {
            return "0." + String(repeating: "0", count: -n) + digits
        }
        let e = n - 1
        let sign = e < 0 ? "-" : "+"
        let mantissa = k == 1 ? digits : String(digits.first!) + "." + digits.dropFirst()
        return mantissa + "e" + sign + String(abs(e))
    }

    /// The shortest round-trip digits of a positive double and the exponent n with
    /// value = 0.d1d2…dk × 10^n.
    static func decimalDigits(of text: String) -> (String, Int) {
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        var digits = ""
        var pointPosition: Int? = nil
        for c in mantissa {
            if c == "." { pointPosition = digits.count } else { digits.append(c) }
        }
        var point = pointPosition ?? digits.count
        while digits.first == "0" {
            digits.removeFirst()
            point -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        return (digits, point + exponent)
    }
}
