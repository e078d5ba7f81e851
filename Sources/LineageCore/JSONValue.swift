/// A JSON value as parsed from bytes, keeping strings exactly as written (no Unicode normalisation).
///
/// Numbers are IEEE 754 doubles, as RFC 8785 requires.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The string, when this is one.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The number, when this is one.
    public var numberValue: Double? {
        if case .number(let n) = self { return n }
        return nil
    }

    /// The number as an exact integer, when it is one.
    public var integerValue: Int64? {
        guard case .number(let n) = self, n.rounded() == n, abs(n) <= 9_007_199_254_740_992 else { return nil }
        return Int64(n)
    }

    /// The object, when this is one.
    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The elements, when this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The name of this value's JSON type, for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// A JSON object whose members are kept sorted by the UTF-16 code units of their keys (RFC 8785 order).
///
/// Keys are compared by their exact code units, never by Unicode equivalence.
public struct JSONObject: Sendable, Equatable, Sequence {
    /// One member of an object.
    public struct Member: Sendable, Equatable {
        /// The member's name.
        public var key: String
        /// The member's value.
        public var value: JSONValue
    }

    /// Members in canonical order.
    public private(set) var members: [Member] = []

    /// Creates an empty object.
    public init() {}

    /// Creates an object from key-value pairs; later duplicates replace earlier ones.
    public init(_ pairs: [(String, JSONValue)]) {
        for (k, v) in pairs { self[k] = v }
    }

    /// An object of members already in canonical order, each name once (the caller checked).
    init(canonicallyOrdered members: [Member]) { self.members = members }

    /// The number of members.
    public var count: Int { members.count }
    /// True when there are no members.
    public var isEmpty: Bool { members.isEmpty }
    /// Member names, in canonical order.
    public var keys: [String] { members.map(\.key) }

    /// Iterates the members in canonical order.
    public func makeIterator() -> IndexingIterator<[Member]> { members.makeIterator() }

    /// Inserts a member; returns false (and changes nothing) when the key is already present.
    @discardableResult
    public mutating func insertNew(_ key: String, _ value: JSONValue) -> Bool {
        let (index, found) = position(of: key)
        if found { return false }
        members.insert(Member(key: key, value: value), at: index)
        return true
    }

    /// The value of member `key`; setting nil removes it.
    public subscript(key: String) -> JSONValue? {
        get {
            let (index, found) = position(of: key)
            return found ? members[index].value : nil
        }
        set {
            let (index, found) = position(of: key)
            switch (found, newValue) {
            case (true, .some(let v)): members[index].value = v
            case (true, .none): members.remove(at: index)
            case (false, .some(let v)): members.insert(Member(key: key, value: v), at: index)
            case (false, .none): break
            }
        }
    }

    private func position(of key: String) -> (Int, Bool) {
        // Canonical input arrives sorted: check the end first.
        if let last = members.last, JSONObject.compare(last.key, key) == .less { return (members.count, false) }
        var low = 0, high = members.count
        while low < high {
            let mid = (low + high) / 2
            switch JSONObject.compare(members[mid].key, key) {
            case .less: low = mid + 1
            case .greater: high = mid
            case .equal: return (mid, true)
            }
        }
        return (low, false)
    }

    enum Order { case less, equal, greater }

    /// Compares two keys by UTF-16 code units, as RFC 8785 section 3.2.3 orders them.
    static func compare(_ a: String, _ b: String) -> Order {
        let fast = a.utf8.withContiguousStorageIfAvailable { ua in
            b.utf8.withContiguousStorageIfAvailable { ub in compareUTF8(ua, ub) }
        }
        if let fast, let both = fast, let order = both { return order }
        return compareUTF16(a, b)
    }

    /// Compares by UTF-8 bytes, which order like UTF-16 code units unless both strings hold
    /// characters at or above U+E000 where they first differ: nil then.
    private static func compareUTF8(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Order? {
        for i in 0..<Swift.min(a.count, b.count) {
            let x = a[i], y = b[i]
            if x == y { continue }
            if x >= 0xEE && y >= 0xEE { return nil }
            return x < y ? .less : .greater
        }
        return a.count == b.count ? .equal : a.count < b.count ? .less : .greater
    }

    private static func compareUTF16(_ a: String, _ b: String) -> Order {
        var ia = a.utf16.makeIterator(), ib = b.utf16.makeIterator()
        while true {
            switch (ia.next(), ib.next()) {
            case (nil, nil): return .equal
            case (nil, _): return .less
            case (_, nil): return .greater
            case (let x?, let y?):
                if x < y { return .less }
                if x > y { return .greater }
            }
        }
    }

    /// Equal when members match exactly, keys compared by code units.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.count == rhs.members.count && zip(lhs.members, rhs.members).allSatisfy {
            $0.key.utf8.elementsEqual($1.key.utf8) && $0.value == $1.value
        }
    }
}
