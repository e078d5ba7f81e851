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

    /// Reads a tile path (as `path` writes it): its level (nil for an entry bundle), its index and
    /// its width (256 for a full tile). Nil for anything else: extra zeros, a width of 0 or 256 in
    /// `.p/`, an index beyond 2^63.
    public static func parse(_ path: String) -> (level: Int?, index: UInt64, width: Int)? {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 3, parts[0] == "tile" else { return nil }
        var width = Tiles.width
        if let last = parts.last, parts.count >= 4, parts[parts.count - 2].hasSuffix(".p") {
            guard let w = Int(last), (1..<Tiles.width).contains(w), String(w) == last else { return nil }
            width = w
            parts.removeLast()
            parts[parts.count - 1].removeLast(2)
        }
        let level: Int?
        if parts[1] == "entries" { level = nil } else {
            guard let l = Int(parts[1]), (0...63).contains(l), String(l) == parts[1] else { return nil }
            level = l
        }
        let elements = Array(parts[2...])
        var index: UInt64 = 0
        for (i, element) in elements.enumerated() {
            let digits = i < elements.count - 1 ? (element.hasPrefix("x") ? String(element.dropFirst()) : "") : element
            guard digits.count == 3, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = UInt64(digits) else { return nil }
            let (scaled, overflow) = index.multipliedReportingOverflow(by: 1000)
            guard !overflow, scaled + value <= UInt64(Int64.max) else { return nil }
            index = scaled + value
        }
        // One encoding per index: no leading `x000` elements.
        guard path == Tiles.path(level: level, index: index, partialWidth: width == Tiles.width ? nil : width) else { return nil }
        return (level, index, width)
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
