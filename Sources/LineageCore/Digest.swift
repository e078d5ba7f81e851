import Crypto

/// A SHA-256 digest, written `sha256:<64 hex>`.
///
/// Kept inline as four big-endian words: creating, hashing and comparing one allocates nothing, and
/// the words order digests like their bytes.
public struct Digest: Hashable, Sendable, Comparable, CustomStringConvertible {
    private let w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    /// The algorithm prefix used in the text form.
    public static let prefix = "sha256:"

    private init(_ buffer: UnsafeRawBufferPointer) {
        w0 = UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        w1 = UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        w2 = UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        w3 = UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
    }

    /// Wraps 32 digest bytes; nil for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self = bytes.withUnsafeBytes { Digest($0) }
    }

    /// The SHA-256 of `data`.
    public init(hashing data: some Sequence<UInt8>) {
        var hasher = SHA256()
        hasher.update(data: Array(data))
        self.init(hasher.finalize())
    }

    init(_ digest: SHA256.Digest) { self = digest.withUnsafeBytes { Digest($0) } }

    /// Parses `sha256:<64 lower-case hex>`; nil when the text is not exactly that.
    public init?(_ text: some StringProtocol) {
        let parsed = text.utf8.withContiguousStorageIfAvailable(Digest.parse) ?? Array(text.utf8).withUnsafeBufferPointer(Digest.parse)
        guard let parsed else { return nil }
        self = parsed
    }

    /// Parses the UTF-8 bytes of `sha256:<64 lower-case hex>`.
    init?(utf8: UnsafeBufferPointer<UInt8>) {
        guard let parsed = Digest.parse(utf8) else { return nil }
        self = parsed
    }

    private static func parse(_ utf8: UnsafeBufferPointer<UInt8>) -> Digest? {
        guard utf8.count == 71, utf8[0] == UInt8(ascii: "s"), utf8[1] == UInt8(ascii: "h"), utf8[2] == UInt8(ascii: "a"),
              utf8[3] == UInt8(ascii: "2"), utf8[4] == UInt8(ascii: "5"), utf8[5] == UInt8(ascii: "6"),
              utf8[6] == UInt8(ascii: ":") else { return nil }
        // Eight digits at a time, as one 64-bit load (verify parses two digests a prediction).
        let raw = UnsafeRawBufferPointer(utf8)
        func word(_ start: Int) -> UInt64? {
            guard let high = hexDigits(raw.loadUnaligned(fromByteOffset: start, as: UInt64.self)),
                  let low = hexDigits(raw.loadUnaligned(fromByteOffset: start + 8, as: UInt64.self)) else { return nil }
            return UInt64(high) << 32 | UInt64(low)
        }
        guard let w0 = word(7), let w1 = word(23), let w2 = word(39), let w3 = word(55) else { return nil }
        return Digest(w0: w0, w1: w1, w2: w2, w3: w3)
    }

    /// Eight lower-case hex digits, as loaded from memory, read as a 32-bit number (the first digit
    /// highest); nil when any byte is not `0`–`9` or `a`–`f`. All eight bytes are worked on at once.
    @inline(__always)
    static func hexDigits(_ loaded: UInt64) -> UInt32? {
        let x = UInt64(littleEndian: loaded)
        let ones: UInt64 = 0x0101_0101_0101_0101, top = ones &* 0x80
        guard x & top == 0 else { return nil }
        // Below 0x80 a byte plus (0x80 - c) carries into its own top bit only, exactly when it is >= c.
        func atLeast(_ c: UInt64) -> UInt64 { x &+ ones &* (0x80 - c) }
        let digit = atLeast(0x30) & ~atLeast(0x3A), letter = atLeast(0x61) & ~atLeast(0x67)
        guard (digit | letter) & top == top else { return nil }
        // '0'-'9' are their low nibble; 'a'-'f' (bit 6 set) their low nibble plus 9.
        var v = (x & (ones &* 0x0F)) &+ ((x >> 6) & ones) &* 9
        // The first digit is the lowest byte: fold pairs of nibbles, then of bytes, then of halves.
        v = ((v << 4) | (v >> 8)) & 0x00FF_00FF_00FF_00FF
        v = ((v << 8) | (v >> 16)) & 0x0000_FFFF_0000_FFFF
        v = ((v << 16) | (v >> 32)) & 0xFFFF_FFFF
        return UInt32(truncatingIfNeeded: v)
    }

    private init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        (self.w0, self.w1, self.w2, self.w3) = (w0, w1, w2, w3)
    }

    /// The 32 digest bytes.
    public var bytes: [UInt8] {
        var words = (w0.bigEndian, w1.bigEndian, w2.bigEndian, w3.bigEndian)
        return withUnsafeBytes(of: &words) { Array($0) }
    }

    /// True if this digest's bytes sort before `other`'s (the words hold the bytes big-endian).
    public func ordered(before other: Digest) -> Bool { (w0, w1, w2, w3) < (other.w0, other.w1, other.w2, other.w3) }

    /// The first eight bytes as a big-endian integer.
    public var leadingWord: UInt64 { w0 }

    /// The first sixteen bytes as two big-endian integers.
    public var leadingWords: (UInt64, UInt64) { (w0, w1) }

    /// Hashes the first eight bytes: a digest is already uniformly distributed.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(w0)
    }

    /// Lower-case hex of the digest bytes, without prefix.
    public var hex: String { Hex.encode(bytes) }

    /// The text form, for messages and output.
    public var description: String { Digest.prefix + hex }

    /// `sha256:` and the first 12 hex digits, for people to read; any unique prefix resolves back.
    public var short: String { Digest.prefix + String(hex.prefix(12)) }

    /// Orders digests by their bytes.
    public static func < (lhs: Digest, rhs: Digest) -> Bool {
        (lhs.w0, lhs.w1, lhs.w2, lhs.w3) < (rhs.w0, rhs.w1, rhs.w2, rhs.w3)
    }
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

    /// The lower-case hex digit (ASCII) for a value 0...15.
    public static func digit(_ value: UInt8) -> UInt8 { digits[Int(value & 0xF)] }

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
