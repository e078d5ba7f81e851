/// Reads a value at a path of member names from a stored record's canonical bytes, stepping over
/// every other member without parsing it: monitoring reads one or two small values from each of
/// millions of predictions, where parsing every record whole would be most of the work. Only the
/// value found is parsed. The bytes are a stored record's (canonical JSON, checked against the log
/// before they are read); bytes that are not JSON give nil or a wrong member, never a crash.
public enum RecordMember {
    /// The value at `path` (`["output", "score"]`), or nil when a member on the way is absent or
    /// not an object.
    public static func value(_ path: [String], in bytes: [UInt8]) -> JSONValue? {
        bytes.withUnsafeBufferPointer { b -> JSONValue? in
            var range = 0..<b.count
            for name in path {
                guard let inner = member(Array(name.utf8), in: b, range) else { return nil }
                range = inner
            }
            return try? JSONParser.parse(UnsafeBufferPointer(rebasing: b[range]))
        }
    }

    /// Where the value of member `name` of the object in `range` lies.
    private static func member(_ name: [UInt8], in b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int>? {
        let end = range.upperBound
        var i = range.lowerBound
        guard i < end, b[i] == UInt8(ascii: "{") else { return nil }
        i += 1
        while i < end, b[i] == UInt8(ascii: "\"") {
            let keyStart = i + 1
            guard skipString(b, &i, end) else { return nil }
            let key = keyStart..<(i - 1)
            guard i < end, b[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            let valueStart = i
            guard skipValue(b, &i, end) else { return nil }
            if key.count == name.count, name.indices.allSatisfy({ b[key.lowerBound + $0] == name[$0] }) { return valueStart..<i }
            guard i < end, b[i] == UInt8(ascii: ",") else { return nil }
            i += 1
        }
        return nil
    }

    /// Moves `i` from a string's opening quote to just past its closing one.
    private static func skipString(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ end: Int) -> Bool {
        i += 1
        while i < end {
            switch b[i] {
            case UInt8(ascii: "\\"): i += 2
            case UInt8(ascii: "\""): i += 1; return true
            default: i += 1
            }
        }
        return false
    }

    /// Moves `i` past the value starting there.
    private static func skipValue(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ end: Int) -> Bool {
        var depth = 0
        while i < end {
            switch b[i] {
            case UInt8(ascii: "\""):
                guard skipString(b, &i, end) else { return false }
                if depth == 0 { return true }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                i += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if depth == 0 { return true }
                depth -= 1
                i += 1
                if depth == 0 { return true }
            case UInt8(ascii: ","):
                if depth == 0 { return true }
                i += 1
            default:
                i += 1
            }
        }
        return depth == 0
    }
}
