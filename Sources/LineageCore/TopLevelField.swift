/// Reads one top-level string member straight from a record's canonical bytes, without building
/// the JSON tree: the index uses it to name a prediction from its stored bytes.
public enum TopLevelField {
    /// The value of the top-level member `key` when it is a string without escapes; nil when it is
    /// absent, not a string, or escaped (then parse the record instead).
    public static func string(_ key: String, in bytes: [UInt8]) -> String? {
        let wanted = Array(key.utf8)
        return bytes.withUnsafeBufferPointer { b -> String? in
            var i = 0, depth = 0
            let n = b.count
            while i < n {
                let c = b[i]
                switch c {
                case UInt8(ascii: "\""):
                    // A string: find its end, noting escapes.
                    let start = i + 1
                    var j = start, escaped = false
                    while j < n, b[j] != UInt8(ascii: "\"") {
                        if b[j] == UInt8(ascii: "\\") { escaped = true; j += 1 }
                        j += 1
                    }
                    guard j < n else { return nil }
                    // A member name at depth 1 is followed by ':'.
                    if depth == 1, j + 1 < n, b[j + 1] == UInt8(ascii: ":"), !escaped,
                       j - start == wanted.count, wanted.withUnsafeBufferPointer({ w in
                           (0..<w.count).allSatisfy { b[start + $0] == w[$0] }
                       }) {
                        let v = j + 2
                        guard v < n, b[v] == UInt8(ascii: "\"") else { return nil }
                        var e = v + 1
                        while e < n, b[e] != UInt8(ascii: "\"") {
                            if b[e] == UInt8(ascii: "\\") { return nil }
                            e += 1
                        }
                        guard e < n else { return nil }
                        return String(decoding: UnsafeBufferPointer(rebasing: b[(v + 1)..<e]), as: UTF8.self)
                    }
                    i = j + 1
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                    i += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    i += 1
                default:
                    i += 1
                }
            }
            return nil
        }
    }
}
