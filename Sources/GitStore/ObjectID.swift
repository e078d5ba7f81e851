import Clibgit2

/// A git object id, as raw bytes; its length is whatever libgit2 uses (SHA-1 in libgit2 1.5).
public struct ObjectID: Hashable, Sendable, CustomStringConvertible {
    /// The raw id bytes.
    public let bytes: [UInt8]

    /// Creates an id from raw bytes; nil when the length is not the object id size.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Int(GIT_OID_RAWSZ) else { return nil }
        self.bytes = bytes
    }

    /// Parses a full-length hexadecimal object id; nil when it is not one.
    public init?(hex: String) {
        guard hex.utf8.count == Int(GIT_OID_HEXSZ) else { return nil }
        var oid = git_oid()
        guard git_oid_fromstrn(&oid, hex, hex.utf8.count) == 0 else { return nil }
        self.init(oid)
    }

    init(_ oid: git_oid) {
        var copy = oid
        bytes = withUnsafeBytes(of: &copy.id) { Array($0) }
    }

    /// This id as a libgit2 `git_oid` value.
    var raw: git_oid {
        var oid = git_oid()
        withUnsafeMutableBytes(of: &oid.id) { $0.copyBytes(from: bytes) }
        return oid
    }

    /// Lower-case hexadecimal form, as libgit2 writes it (git ids are libgit2's to encode; record
    /// ids and everything else use LineageCore's `Hex`).
    public var hex: String {
        var oid = raw
        var out = [CChar](repeating: 0, count: Int(GIT_OID_HEXSZ) + 1)
        git_oid_fmt(&out, &oid)
        return String(decoding: out.prefix(Int(GIT_OID_HEXSZ)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Lower-case hex.
    public var description: String { hex }
}
