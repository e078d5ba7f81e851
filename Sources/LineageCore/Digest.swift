import Crypto

/// A SHA-256 digest, written `sha256:<64 hex>`.
public struct Digest: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The 32 digest bytes.
    public let bytes: [UInt8]

    /// The algorithm prefix used in the text form.
    public static let prefix = "sha256:"

    /// Wraps 32 digest bytes; nil for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    /// The SHA-256 of `data`.
    public init(hashing data: some Sequence<UInt8>) {
        var hasher = SHA256()
        hasher.update(data: Array(data))
        bytes = Array(hasher.finalize())
    }

    init(_ digest: SHA256.Digest) { bytes = Array(digest) }

    /// Parses `sha256:<64 lower-case hex>`; nil when the text is not exactly that.
    public init?(_ text: some StringProtocol) {
        let utf8 = Array(text.utf8)
        guard utf8.count == 71, utf8.starts(with: Digest.prefixBytes) else { return nil }
        var bytes = [UInt8](repeating: 0, count: 32)
        for i in 0..<32 {
            guard let hi = Hex.lowerValue(utf8[7 + 2 * i]), let lo = Hex.lowerValue(utf8[8 + 2 * i]) else { return nil }
            bytes[i] = hi << 4 | lo
        }
        self.bytes = bytes
    }

    private static let prefixBytes = Array(prefix.utf8)

    /// Hashes the first eight bytes: a digest is already uniformly distributed.
    public func hash(into hasher: inout Hasher) {
        var word: UInt64 = 0
        for i in 0..<8 { word = word << 8 | UInt64(bytes[i]) }
        hasher.combine(word)
    }

    /// Lower-case hex of the digest bytes, without prefix.
    public var hex: String { Hex.encode(bytes) }

    /// The text form, for messages and output.
    public var description: String { Digest.prefix + hex }

    /// `sha256:` and the first 12 hex digits, for people to read; any unique prefix resolves back.
    public var short: String { Digest.prefix + String(hex.prefix(12)) }

    /// Orders digests by their bytes.
    public static func < (lhs: Digest, rhs: Digest) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }
}

/// An incremental SHA-256, for streaming large inputs.
public struct StreamingDigest {
    private var hasher = SHA256()

    /// Starts an empty hash.
    public init() {}

    /// Feeds bytes from a buffer.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }
    /// Feeds bytes.
    public mutating func update(_ bytes: [UInt8]) { hasher.update(data: bytes) }

    /// The digest of everything fed so far.
    public func finalize() -> Digest { Digest(hasher.finalize()) }
}

/// Lower-case hexadecimal encoding.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Lower-case hex of `bytes`.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes hex (either case); nil when the text has an odd length or a non-hex character.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let hi = value(utf8[i]), let lo = value(utf8[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    /// The value of one lower-case hex digit, or nil.
    static func lowerValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    /// The value of one hex digit, or nil.
    public static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
