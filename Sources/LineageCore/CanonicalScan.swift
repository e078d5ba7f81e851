/// Reads bytes that should already be canonical JSON (RFC 8785) without building a tree, for the
/// common case of records whose strings are printable ASCII and whose numbers are short: reading
/// the log (`verify`, proofs, the index) mostly meets such records.
///
/// It answers only when it is sure. `members` returns nil for anything it does not handle (escapes,
/// other characters, exponents, long numbers, deep nesting) as well as for bytes that are not
/// canonical; callers then take the full path (parse, validate, re-serialise and compare), which
/// either accepts the record or says exactly what is wrong with it. Under these restrictions the
/// canonical serialisation of a value is the value's own bytes, so bytes the scan accepts are
/// canonical: no whitespace, member names strictly increasing (byte order is UTF-16 order for
/// ASCII), strings that need no escape, and numbers already in ECMAScript's shortest form.
enum CanonicalScan {
    /// What a value is, as far as record schemas ask.
    enum Value: Equatable {
        case string
        /// A number written as an integer (at most 15 digits).
        case integer(Int64)
        /// Any other number.
        case number
        case bool
        case null
        case object
        case array

        var isNumber: Bool {
            switch self {
            case .integer, .number: true
            default: false
            }
        }
    }

    /// One top-level member: where its name (without quotes) and value lie in the bytes.
    struct Member {
        let key: Range<Int>
        let value: Range<Int>
        let type: Value

        /// The member's name.
        func name(in b: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: b[key]) }
        /// The value as written.
        func raw(in b: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: b[value]) }
        /// The value without its quotes, when it is a string.
        func text(in b: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
            type == .string ? UnsafeBufferPointer(rebasing: b[(value.lowerBound + 1)..<(value.upperBound - 1)]) : nil
        }
    }

    /// Containers nested deeper than this are left to the full path.
    static let maximumDepth = 16

    /// The members of the object `bytes` holds, in order, if the bytes are certainly its canonical form.
    static func members(_ b: UnsafeBufferPointer<UInt8>) -> [Member]? {
        var members: [Member] = []
        members.reserveCapacity(16)
        var i = 0
        guard object(b, &i, depth: 0, each: { members.append($0) }), i == b.count else { return nil }
        return members
    }

    /// Reads the object starting at `i`, its names strictly increasing, giving each member to `each`;
    /// moves `i` past it.
    private static func object(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, depth: Int, each: (Member) -> Void) -> Bool {
        guard i < b.count, b[i] == UInt8(ascii: "{") else { return false }
        i += 1
        if i < b.count, b[i] == UInt8(ascii: "}") {
            i += 1
            return true
        }
        var previous: Range<Int>?
        while true {
            guard let key = string(b, &i), previous.map({ less(b, $0, key) }) ?? true,
                  i < b.count, b[i] == UInt8(ascii: ":") else { return false }
            i += 1
            let start = i
            guard let type = value(b, &i, depth: depth + 1) else { return false }
            each(Member(key: key, value: start..<i, type: type))
            previous = key
            guard let more = separator(b, &i, closing: UInt8(ascii: "}")) else { return false }
            if !more { return true }
        }
    }

    /// After a member or element: true past a comma, false past the closing bracket, nil otherwise.
    private static func separator(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, closing: UInt8) -> Bool? {
        guard i < b.count, b[i] == UInt8(ascii: ",") || b[i] == closing else { return nil }
        i += 1
        return b[i - 1] == UInt8(ascii: ",")
    }

    /// The text of the string starting at `i` (without quotes); moves `i` past it.
    static func string(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Range<Int>? {
        guard i < b.count, b[i] == UInt8(ascii: "\"") else { return nil }
        let start = i + 1
        var j = start
        // Eight bytes at a time while none of them ends the string or needs a closer look.
        if let base = b.baseAddress {
            while j + 8 <= b.count, plain(UnsafeRawPointer(base + j).loadUnaligned(as: UInt64.self)) { j += 8 }
        }
        while j < b.count {
            let c = b[j]
            if c == UInt8(ascii: "\"") {
                i = j + 1
                return start..<j
            }
            guard c >= 0x20, c <= 0x7E, c != UInt8(ascii: "\\") else { return nil }
            j += 1
        }
        return nil
    }

    /// True when each of the eight bytes of `w` is printable ASCII other than `"` and `\\`: the bytes
    /// a string may hold as they are (SWAR tests from "Bit Twiddling Hacks": `hasless`, `hasmore`,
    /// `haszero`, each exact about whether any byte matches).
    private static func plain(_ w: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let below = (w &- ones &* 0x20) & ~w & highs
        let above = ((w &+ ones &* (127 - 0x7E)) | w) & highs
        func zeroByte(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
        let quote = zeroByte(w ^ (ones &* UInt64(UInt8(ascii: "\""))))
        let backslash = zeroByte(w ^ (ones &* UInt64(UInt8(ascii: "\\"))))
        return below | above | quote | backslash == 0
    }

    /// True when the name at `a` sorts strictly before the name at `b`.
    private static func less(_ bytes: UnsafeBufferPointer<UInt8>, _ a: Range<Int>, _ b: Range<Int>) -> Bool {
        for k in 0..<min(a.count, b.count) where bytes[a.lowerBound + k] != bytes[b.lowerBound + k] {
            return bytes[a.lowerBound + k] < bytes[b.lowerBound + k]
        }
        return a.count < b.count
    }

    private static func value(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, depth: Int) -> Value? {
        guard i < b.count, depth <= maximumDepth else { return nil }
        switch b[i] {
        case UInt8(ascii: "\""):
            return string(b, &i) == nil ? nil : .string
        case UInt8(ascii: "{"):
            return object(b, &i, depth: depth, each: { _ in }) ? .object : nil
        case UInt8(ascii: "["):
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "]") {
                i += 1
                return .array
            }
            while true {
                guard value(b, &i, depth: depth + 1) != nil else { return nil }
                guard let more = separator(b, &i, closing: UInt8(ascii: "]")) else { return nil }
                if !more { return .array }
            }
        case UInt8(ascii: "t"): return literal("true", b, &i) ? .bool : nil
        case UInt8(ascii: "f"): return literal("false", b, &i) ? .bool : nil
        case UInt8(ascii: "n"): return literal("null", b, &i) ? .null : nil
        default: return number(b, &i)
        }
    }

    private static func literal(_ word: StaticString, _ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Bool {
        let count = word.utf8CodeUnitCount
        guard i + count <= b.count else { return false }
        for k in 0..<count where b[i + k] != word.utf8Start[k] { return false }
        i += count
        return true
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    /// A number already in ECMAScript's form: an integer of at most 15 digits (not -0), or a decimal
    /// without exponent, trailing zero or more than 15 significant digits, at least 10^-6 in size.
    /// Any such decimal is the shortest text that reads back as its double, and ECMAScript writes
    /// numbers of that size without an exponent.
    private static func number(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Value? {
        var j = i
        let negative = b[j] == UInt8(ascii: "-")
        if negative { j += 1 }
        let integerStart = j
        guard j < b.count, isDigit(b[j]) else { return nil }
        if b[j] == UInt8(ascii: "0") { j += 1 } else { while j < b.count, isDigit(b[j]) { j += 1 } }
        let integerDigits = j - integerStart
        if j < b.count, b[j] == UInt8(ascii: ".") {
            j += 1
            let fractionStart = j
            while j < b.count, isDigit(b[j]) { j += 1 }
            let fractionDigits = j - fractionStart
            guard fractionDigits > 0, b[j - 1] != UInt8(ascii: "0") else { return nil }
            var significant = integerDigits + fractionDigits
            if b[integerStart] == UInt8(ascii: "0") {
                var zeros = 0
                while b[fractionStart + zeros] == UInt8(ascii: "0") { zeros += 1 }
                guard zeros <= 5 else { return nil }
                significant = fractionDigits - zeros
            }
            guard significant <= 15, j == b.count || (b[j] != UInt8(ascii: "e") && b[j] != UInt8(ascii: "E")) else { return nil }
            i = j
            return .number
        }
        guard integerDigits <= 15, j == b.count || (b[j] != UInt8(ascii: "e") && b[j] != UInt8(ascii: "E")),
              !(negative && b[integerStart] == UInt8(ascii: "0")) else { return nil }
        var magnitude: Int64 = 0
        for k in integerStart..<j { magnitude = magnitude * 10 + Int64(b[k] - UInt8(ascii: "0")) }
        i = j
        return .integer(negative ? -magnitude : magnitude)
    }
}
