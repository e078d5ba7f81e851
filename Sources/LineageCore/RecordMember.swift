/// Reads a value at a path of member names from a stored record's canonical bytes, parsing only
/// the top-level member the path starts with: monitoring reads one or two small values from each
/// of millions of predictions, where parsing every record whole would be most of the work.
public enum RecordMember {
    /// The value at `path` (`["output", "score"]`), or nil when a member on the way is absent or
    /// not an object. Bytes the quick scan does not handle are parsed whole instead.
    public static func value(_ path: [String], in bytes: [UInt8]) -> JSONValue? {
        guard let first = path.first else { return nil }
        var value: JSONValue?
        let scanned: Bool = bytes.withUnsafeBufferPointer { b in
            guard let members = CanonicalScan.members(b) else { return false }
            let wanted = Array(first.utf8)
            guard let member = members.first(where: { $0.name(in: b).elementsEqual(wanted) }) else { return true }
            value = try? JSONParser.parse(member.raw(in: b))
            return true
        }
        if !scanned { value = (try? JSONParser.parse(bytes))?.objectValue?[first] }
        for name in path.dropFirst() { value = value?.objectValue?[name] }
        return value
    }
}
