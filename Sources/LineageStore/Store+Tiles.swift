import Foundation
import LineageCore

extension Store {
    /// Writes the log, as of its latest indexed checkpoint, as C2SP tlog-tiles under `directory`:
    /// `checkpoint`, the Merkle tiles `tile/<L>/<N>`, the entry bundles `tile/entries/<N>` (each
    /// record's canonical bytes), and the partial tiles of the right edge. Any tlog-tiles client can
    /// then compute roots and proofs from them alone. Records are read (and checked) in log order, a
    /// tile at a time. Returns the log size written. `progress` gets the records done so far.
    public func exportTiles(to directory: String, progress: ((Int64) -> Void)? = nil) throws -> UInt64 {
        let (note, checkpoint) = try indexedCheckpoint()
        let size = checkpoint.size
        func write(_ relative: String, _ bytes: [UInt8]) throws {
            let file = (directory as NSString).appendingPathComponent(relative)
            do {
                try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data(bytes).write(to: URL(fileURLWithPath: file))
            } catch {
                throw LineageError.storage("cannot write \(file): \(error.localizedDescription)")
            }
        }
        // The hashes of each level waiting to fill a tile; a full tile's root goes one level up.
        var pending: [[[UInt8]]] = [[]]
        var fullTiles: [UInt64] = [0]
        func add(_ hash: [UInt8], level: Int) throws {
            if pending.count <= level { pending.append([]); fullTiles.append(0) }
            pending[level].append(hash)
            guard pending[level].count == Tiles.width else { return }
            try write(Tiles.path(level: level, index: fullTiles[level]), pending[level].flatMap { $0 })
            fullTiles[level] += 1
            let root = Tiles.root(of: pending[level])
            pending[level] = []
            try add(root, level: level + 1)
        }
        var entries: [[UInt8]] = []
        var bundles: UInt64 = 0
        for seq in 0..<Int64(size) {
            let bytes = try canonicalBytes(seq: seq)
            guard bytes.count <= Tiles.maximumEntry else {
                throw LineageError.input("record \(seq) is \(bytes.count) bytes, more than a tlog-tiles entry bundle can hold (\(Tiles.maximumEntry)); nothing more was written")
            }
            entries.append(bytes)
            if entries.count == Tiles.width {
                try write(Tiles.path(level: nil, index: bundles), Tiles.bundle(entries))
                bundles += 1
                entries = []
            }
            try add(Merkle.leafHash(bytes), level: 0)
            if seq % 4096 == 4095 { progress?(seq + 1) }
        }
        if !entries.isEmpty { try write(Tiles.path(level: nil, index: bundles, partialWidth: entries.count), Tiles.bundle(entries)) }
        // The partial tile of each level: floor(size / 256^l) mod 256 hashes, if any.
        for (level, hashes) in pending.enumerated() where !hashes.isEmpty {
            try write(Tiles.path(level: level, index: fullTiles[level], partialWidth: hashes.count), hashes.flatMap { $0 })
        }
        try write("checkpoint", Array(note.utf8))
        progress?(Int64(size))
        return size
    }
}

extension Store {
    /// One file of the log as C2SP tlog-tiles, for serving (`lineage serve` at /tiles/): `checkpoint`
    /// (the latest indexed checkpoint, with its witnesses' cosignatures when it has them), a Merkle
    /// tile `tile/<L>/<N>[.p/<W>]` or an entry bundle `tile/entries/<N>[.p/<W>]`. Nil for a path
    /// that is not a tile or a tile beyond the log. A tile's bytes never change once the log holds
    /// it (full tiles, and each partial width, are fixed by the append-only log).
    public func tile(_ path: String) throws -> [UInt8]? {
        let (note, checkpoint) = try indexedCheckpoint()
        if path == "checkpoint" {
            let witnessed = try cosigned(size: checkpoint.size).flatMap { $0.checkpoint == checkpoint ? $0.note : nil }
            return Array((witnessed ?? note).utf8)
        }
        guard let (level, index, width) = Tiles.parse(path) else { return nil }
        // Level l's hashes are the tree's nodes of height 8l; entry i of this tile covers
        // leaves [(index * 256 + i) * 256^l, +256^l).
        let height = UInt64(8 * (level ?? 0))
        guard index < UInt64.max / UInt64(Tiles.width), height < 64 else { return nil }
        let first = index * UInt64(Tiles.width), span: UInt64 = 1 << height
        let (end, tooFar) = (first + UInt64(width)).multipliedReportingOverflow(by: span)
        guard !tooFar, end <= checkpoint.size else { return nil }
        if level == nil {
            return Tiles.bundle(try (first..<first + UInt64(width)).map { try canonicalBytes(seq: Int64($0)) })
        }
        let tree = StoreTree(store: self)
        return try (first..<first + UInt64(width)).flatMap { i in try tree.hash(start: i * span, size: span) }
    }
}
