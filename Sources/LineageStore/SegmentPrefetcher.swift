import Foundation
import GitStore
import LineageCore

/// Reads segments on a second thread, through a repository handle of its own, while the caller
/// works through the ones it already has: a query's next page is inflated while its current page
/// is printed. Inflating segments is most of the work of listing predictions. A whole block of 256
/// records also gets its Merkle subtree root computed there, for the reader's check (see
/// `Store.checkSegment`): the hashing then overlaps with the caller's work too.
final class SegmentPrefetcher: @unchecked Sendable {
    private let path: String
    private let queue = DispatchQueue(label: "lineage.segment-prefetch")
    private let lock = NSLock()
    /// Touched only on `queue`.
    private var repository: Repository?
    /// A prefetched segment: its bytes, its records' byte ranges and ids, and the Merkle root over
    /// them when they are a whole block of 256 (all hashed here, off the reader's thread).
    typealias Prefetched = (bytes: [UInt8], lines: [(Int, Int)], root: [UInt8]?, ids: [Digest]?)
    private var ready: [ObjectID: Prefetched] = [:]
    private var requested: Set<ObjectID> = []

    init(path: String) { self.path = path }

    /// Starts reading `blobs` that are neither read nor asked for yet; with `ids` false, without
    /// hashing each record for its id (a reader that needs ids computes them).
    func prefetch(_ blobs: [ObjectID], ids wantIDs: Bool = true) {
        lock.lock()
        let wanted = blobs.filter { ready[$0] == nil && !requested.contains($0) }
        requested.formUnion(wanted)
        lock.unlock()
        guard !wanted.isEmpty else { return }
        queue.async { [self] in
            for blob in wanted {
                if repository == nil { repository = try? Repository.openBare(at: path) }
                // A failed read is left to the caller, which reads the blob itself and reports the error.
                let segment = (try? repository?.readBlob(blob)).flatMap { $0 }.map { bytes -> Prefetched in
                    let lines = Segment.ranges(of: bytes)
                    let root = lines.count == 1 << Index.storedNodeLevel ? Merkle.subtreeRoot(of: bytes, ranges: lines) : nil
                    let ids = !wantIDs ? nil : bytes.withUnsafeBytes { raw in
                        lines.map { offset, length -> Digest in
                            var digest = StreamingDigest()
                            digest.update(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + length)]))
                            return digest.finalize()
                        }
                    }
                    return (bytes, lines, root, ids)
                }
                lock.lock()
                requested.remove(blob)
                if let segment { ready[blob] = segment }
                lock.unlock()
            }
        }
    }

    /// Forgets `blob` if it was prefetched: the caller had it already.
    func drop(_ blob: ObjectID) {
        lock.lock()
        defer { lock.unlock() }
        ready[blob] = nil
    }

    /// The bytes of `blob` if it was prefetched (waiting for it if it is being read); each is
    /// handed out once.
    func take(_ blob: ObjectID) -> Prefetched? {
        lock.lock()
        let pending = requested.contains(blob)
        lock.unlock()
        if pending { queue.sync {} }
        lock.lock()
        defer { lock.unlock() }
        return ready.removeValue(forKey: blob)
    }
}
