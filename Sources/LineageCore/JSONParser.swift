/// A strict RFC 8259 / I-JSON parser: rejects invalid UTF-8, lone surrogates, duplicate keys,
/// numbers outside the double range, trailing data and nesting deeper than `maximumDepth`.
public struct JSONParser {
    /// The deepest nesting of arrays and objects accepted.
    public static let maximumDepth = 256

    /// Parses one JSON document from `bytes`.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONError) -> JSONValue {
        let array = Array(bytes)
        return try array.withUnsafeBufferPointer { (buffer) throws(JSONError) in
            var parser = Cursor(buffer: buffer)
            parser.skipWhitespace()
            let value = try parser.parseValue(depth: 0)
            parser.skipWhitespace()
            if parser.index < buffer.count {
                throw parser.error("unexpected data after the JSON value")
            }
            return value
        }
    }

    /// Parses one JSON document from a string.
    public static func parse(_ text: String) throws(JSONError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    struct Cursor {
        let buffer: UnsafeBufferPointer<UInt8>
        var index = 0

        init(buffer: UnsafeBufferPointer<UInt8>) { self.buffer = buffer }

        func error(_ reason: String, at position: Int? = nil) -> JSONError {
            let offset = min(position ?? index, buffer.count)
            var line = 1, lineStart = 0
            for i in 0..<offset where buffer[i] == 0x0A {
                line += 1
                lineStart = i + 1
            }
            return JSONError(reason: reason, offset: offset, line: line, column: offset - lineStart + 1)
        }

        mutating func skipWhitespace() {
            while index < buffer.count {
                switch buffer[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        func describeCurrent() -> String {
            guard index < buffer.count else { return "end of input" }
            let byte = buffer[index]
            if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
            return "byte 0x\(String(byte, radix: 16))"
        }

        mutating func parseValue(depth: Int) throws(JSONError) -> JSONValue {
            guard index < buffer.count else { throw error("unexpected end of input, expected a value") }
            switch buffer[index] {
            case UInt8(ascii: "{"): return .object(try parseObject(depth: depth + 1))
            case UInt8(ascii: "["): return .array(try parseArray(depth: depth + 1))
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
            case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
            case UInt8(ascii: "n"): try expectLiteral("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
            default: throw error("unexpected \(describeCurrent()), expected a value")
            }
        }

        mutating func expectLiteral(_ literal: StaticString) throws(JSONError) {
            let count = literal.utf8CodeUnitCount
            let start = index
            guard index + count <= buffer.count else { throw error("unexpected end of input in a literal") }
            for i in 0..<count where buffer[index + i] != literal.utf8Start[i] {
                throw error("invalid literal, expected \(literal)", at: start)
            }
            index += count
        }

        mutating func parseObject(depth: Int) throws(JSONError) -> JSONObject {
            if depth > JSONParser.maximumDepth { throw error("nesting deeper than \(JSONParser.maximumDepth) levels") }
            index += 1
            skipWhitespace()
            if index < buffer.count, buffer[index] == UInt8(ascii: "}") {
                index += 1
                return JSONObject()
            }
            // Members are collected and put in order once at the end: inserting each in order as it
            // came made an object with its names in descending order quadratic (a 1 MiB line, 4 s).
            var members: [JSONObject.Member] = [], starts: [Int] = [], ordered = true
            while true {
                skipWhitespace()
                guard index < buffer.count, buffer[index] == UInt8(ascii: "\"") else {
                    throw error("unexpected \(describeCurrent()), expected a member name in double quotes")
                }
                let keyStart = index
                let key = try parseString()
                skipWhitespace()
                guard index < buffer.count, buffer[index] == UInt8(ascii: ":") else {
                    throw error("unexpected \(describeCurrent()), expected ':' after a member name")
                }
                index += 1
                skipWhitespace()
                let value = try parseValue(depth: depth)
                if ordered, let last = members.last, JSONObject.compare(last.key, key) != .less { ordered = false }
                members.append(JSONObject.Member(key: key, value: value))
                starts.append(keyStart)
                skipWhitespace()
                guard index < buffer.count else { throw error("unexpected end of input, expected ',' or '}'") }
                if buffer[index] == UInt8(ascii: ",") { index += 1; continue }
                if buffer[index] == UInt8(ascii: "}") {
                    index += 1
                    return try object(members, starts: starts, ordered: ordered)
                }
                throw error("unexpected \(describeCurrent()), expected ',' or '}'")
            }
        }

        /// The object of `members` (name `i` starting at byte `starts[i]`), put in canonical order;
        /// a name given twice is refused at its second place.
        func object(_ members: [JSONObject.Member], starts: [Int], ordered: Bool) throws(JSONError) -> JSONObject {
            if ordered { return JSONObject(canonicallyOrdered: members) }
            // A stable sort keeps a repeated name's places in input order, next to each other.
            let order = members.indices.sorted { a, b in
                let order = JSONObject.compare(members[a].key, members[b].key)
                return order == .less || (order == .equal && a < b)
            }
            for (a, b) in zip(order, order.dropFirst()) where JSONObject.compare(members[a].key, members[b].key) == .equal {
                throw error("duplicate member name \"\(members[b].key)\"", at: starts[b])
            }
            return JSONObject(canonicallyOrdered: order.map { members[$0] })
        }

        mutating func parseArray(depth: Int) throws(JSONError) -> [JSONValue] {
            if depth > JSONParser.maximumDepth { throw error("nesting deeper than \(JSONParser.maximumDepth) levels") }
            index += 1
            var elements: [JSONValue] = []
            skipWhitespace()
            if index < buffer.count, buffer[index] == UInt8(ascii: "]") {
                index += 1
                return elements
            }
            while true {
                skipWhitespace()
                elements.append(try parseValue(depth: depth))
                skipWhitespace()
                guard index < buffer.count else { throw error("unexpected end of input, expected ',' or ']'") }
                if buffer[index] == UInt8(ascii: ",") { index += 1; continue }
                if buffer[index] == UInt8(ascii: "]") { index += 1; return elements }
                throw error("unexpected \(describeCurrent()), expected ',' or ']'")
            }
        }

        mutating func parseNumber() throws(JSONError) -> Double {
            let start = index
            func digits(_ cursor: inout Cursor) -> Int {
                let from = cursor.index
                while cursor.index < cursor.buffer.count,
                      (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(cursor.buffer[cursor.index]) {
                    cursor.index += 1
                }
                return cursor.index - from
            }
            if buffer[index] == UInt8(ascii: "-") { index += 1 }
            guard index < buffer.count else { throw error("unexpected end of input in a number") }
            if buffer[index] == UInt8(ascii: "0") {
                index += 1
                if index < buffer.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(buffer[index]) {
                    throw error("a number may not have leading zeros", at: start)
                }
            } else if digits(&self) == 0 {
                throw error("invalid number", at: start)
            }
            if index < buffer.count, buffer[index] == UInt8(ascii: ".") {
                index += 1
                if digits(&self) == 0 { throw error("a decimal point must be followed by digits", at: start) }
            }
            if index < buffer.count, buffer[index] == UInt8(ascii: "e") || buffer[index] == UInt8(ascii: "E") {
                index += 1
                if index < buffer.count, buffer[index] == UInt8(ascii: "+") || buffer[index] == UInt8(ascii: "-") {
                    index += 1
                }
                if digits(&self) == 0 { throw error("an exponent must have digits", at: start) }
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<index]), as: UTF8.self)
            guard let value = Double(text), value.isFinite else {
                throw error("number \(text) is outside the range of a double", at: start)
            }
            return value
        }

        mutating func parseHex4() throws(JSONError) -> UInt16 {
            guard index + 4 <= buffer.count else { throw error("unexpected end of input in a \\u escape") }
            var value: UInt16 = 0
            for _ in 0..<4 {
                let c = buffer[index]
                let digit: UInt8
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
                default: throw error("invalid hex digit in a \\u escape")
                }
                value = value << 4 | UInt16(digit)
                index += 1
            }
            return value
        }

        mutating func parseString() throws(JSONError) -> String {
            let start = index
            index += 1
            // Fast path: no escapes.
            var scan = index
            var ascii = true
            while scan < buffer.count {
                let c = buffer[scan]
                if c == UInt8(ascii: "\"") {
                    let raw = UnsafeBufferPointer(rebasing: buffer[index..<scan])
                    // ASCII is valid UTF-8 as it stands; only other bytes need validating (a slower call).
                    guard let s = ascii ? String(decoding: raw, as: UTF8.self) : String(validating: raw, as: UTF8.self) else {
                        throw error("invalid UTF-8 in a string", at: start)
                    }
                    index = scan + 1
                    return s
                }
                if c == UInt8(ascii: "\\") || c < 0x20 { break }
                if c >= 0x80 { ascii = false }
                scan += 1
            }
            var bytes: [UInt8] = Array(buffer[index..<scan])
            index = scan
            while true {
                guard index < buffer.count else { throw error("unterminated string", at: start) }
                let c = buffer[index]
                switch c {
                case UInt8(ascii: "\""):
                    index += 1
                    guard let s = String(validating: bytes, as: UTF8.self) else {
                        throw error("invalid UTF-8 in a string", at: start)
                    }
                    return s
                case 0..<0x20:
                    throw error("unescaped control character in a string")
                case UInt8(ascii: "\\"):
                    index += 1
                    guard index < buffer.count else { throw error("unterminated string", at: start) }
                    let e = buffer[index]
                    index += 1
                    switch e {
                    case UInt8(ascii: "\""): bytes.append(0x22)
                    case UInt8(ascii: "\\"): bytes.append(0x5C)
                    case UInt8(ascii: "/"): bytes.append(0x2F)
                    case UInt8(ascii: "b"): bytes.append(0x08)
                    case UInt8(ascii: "f"): bytes.append(0x0C)
                    case UInt8(ascii: "n"): bytes.append(0x0A)
                    case UInt8(ascii: "r"): bytes.append(0x0D)
                    case UInt8(ascii: "t"): bytes.append(0x09)
                    case UInt8(ascii: "u"):
                        let unit = try parseHex4()
                        var scalarValue = UInt32(unit)
                        if (0xD800...0xDBFF).contains(unit) {
                            guard index + 2 <= buffer.count, buffer[index] == UInt8(ascii: "\\"),
                                  buffer[index + 1] == UInt8(ascii: "u") else {
                                throw error("lone surrogate in a \\u escape")
                            }
                            index += 2
                            let low = try parseHex4()
                            guard (0xDC00...0xDFFF).contains(low) else { throw error("lone surrogate in a \\u escape") }
                            scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                        } else if (0xDC00...0xDFFF).contains(unit) {
                            throw error("lone surrogate in a \\u escape")
                        }
                        guard let scalar = Unicode.Scalar(scalarValue) else { throw error("invalid \\u escape") }
                        UTF8.encode(scalar) { bytes.append($0) }
                    default:
                        throw error("invalid escape sequence in a string", at: index - 2)
                    }
                default:
                    bytes.append(c)
                    index += 1
                }
            }
        }
    }
}
