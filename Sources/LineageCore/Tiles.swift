/// The C2SP tlog-tiles layout of a log (c2sp.org/tlog-tiles): tiles of 256 Merkle tree hashes
/// (level 0: leaf hashes; level l: roots of full tiles of level l - 1), entry bundles of the
/// records as big-endian uint16 length-prefixed entries, and partial tiles at the right edge.
public enum Tiles {
    /// Hashes (and entries) in a full tile.
    public static let width = 256

    /// The path of a tile: `tile/<L>/<N>[.p/<W>]`, with N in zero-padded 3-digit elements, all but
    /// the last prefixed with `x` (1234067 is `x001/x234/067`). `level` nil names an entry bundle.
    public static func path(level: Int?, index: UInt64, partialWidth: Int? = nil) -> String {
        var elements: [String] = []
        var n = index
        repeat {
            let digits = String(n % 1000)
            elements.insert(String(repeating: "0", count: 3 - digits.count) + digits, at: 0)
            n /= 1000
        } while n > 0
        let encoded = elements.enumerated().map { $0.offset < elements.count - 1 ? "x" + $0.element : $0.element }.joined(separator: "/")
        return "tile/" + (level.map(String.init) ?? "entries") + "/" + encoded + (partialWidth.map { ".p/\($0)" } ?? "")
    }

    /// The root of a full tile: the Merkle tree hash of its 256 hashes taken as leaves of a
    /// perfect subtree (RFC 6962 interior nodes).
    public static func root(of hashes: [[UInt8]]) -> [UInt8] {
        var level = hashes
        while level.count > 1 {
            level = stride(from: 0, to: level.count, by: 2).map { Merkle.nodeHash(level[$0], level[$0 + 1]) }
        }
        return level[0]
    }

    /// An entry bundle of `entries` (each at most 65,535 bytes).
    public static func bundle(_ entries: [[UInt8]]) -> [UInt8] {
        var bytes: [UInt8] = []
        for entry in entries {
            bytes.append(UInt8(entry.count >> 8))
            bytes.append(UInt8(entry.count & 0xFF))
            bytes += entry
        }
        return bytes
    }

    /// The largest entry an entry bundle can hold.
    public static let maximumEntry = 65_535
}
