extension JSONValue {
    /// An indented rendering with keys in canonical order, for people to read.
    public func prettyString(indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent + 1)
        let closing = String(repeating: "  ", count: indent)
        switch self {
        case .array(let items) where !items.isEmpty:
            return "[\n" + items.map { pad + $0.prettyString(indent: indent + 1) }.joined(separator: ",\n") + "\n\(closing)]"
        case .object(let object) where !object.isEmpty:
            return "{\n" + object.members.map { member in
                pad + JSONValue.string(member.key).canonicalString + ": " + member.value.prettyString(indent: indent + 1)
            }.joined(separator: ",\n") + "\n\(closing)}"
        default:
            return canonicalString
        }
    }
}
