import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Values taken from predictions for monitoring, kept in the store's `columns/` directory: derived
/// data like the index, rebuilt from the log whenever it is missing. Each column is a file of
/// fixed-width entries, one per log position (a sparse file: only the blocks read so far take
/// space), with a `.filled` file of one mark per block of 256 positions (a hash of the block's
/// bytes) saying which blocks hold their values. Only whole blocks are kept (the log only grows, so they never change); a block is
/// marked filled after its values (and the labels they name) are on disk, so a crash leaves at
/// worst blocks to compute again. Labels (outputs that are not numbers) are numbered in a
/// `.labels` file, one JSON string a line.
///
/// Thread safety: an instance is used by one thread. Processes share the files under an exclusive
/// `flock` of `columns/lock`, held from opening to `close()`, so that two never number labels at once.
final class ColumnCache {
    /// Positions per block.
    static let block = 256

    private let directory: String
    private let lockDescriptor: Int32

    /// Opens (creating) the cache of the store at `storePath` for a log whose first batch is
    /// `logIdentity`; a cache made for another log is emptied. Nil when the store cannot be
    /// written (the caller then computes everything in memory).
    init?(storePath: String, logIdentity: String) {
        directory = (storePath as NSString).appendingPathComponent("columns")
        mkdir(directory, 0o755)
        lockDescriptor = open(directory + "/lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lockDescriptor >= 0 else { return nil }
        guard flock(lockDescriptor, LOCK_EX) == 0 else {
            Glibc.close(lockDescriptor)
            return nil
        }
        let identityFile = directory + "/log"
        if FileBytes.read(identityFile).map({ String(decoding: $0, as: UTF8.self) }) != logIdentity {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name != "lock" {
                unlink(directory + "/" + name)
            }
            guard ColumnCache.writeFile(identityFile, Array(logIdentity.utf8)) else {
                close()
                return nil
            }
        }
    }

    /// Releases the lock.
    func close() {
        flock(lockDescriptor, LOCK_UN)
        Glibc.close(lockDescriptor)
    }

    /// Which of `units` of column `name` hold their values, given the bytes read for them (`data`,
    /// `unitBytes` a unit): each unit's mark is a hash of its bytes, so a mark lost, or bytes lost or
    /// damaged after it was made (a file cut short, a hole), leave the unit to compute again. A unit
    /// is a block of entries, or one entry for a column of one entry a block.
    func filled(_ name: String, unitBytes: Int, units: Range<Int>, data: [UInt8]) -> [Bool] {
        let marks = pread(directory + "/" + name + ".filled", offset: units.lowerBound * 8, count: units.count * 8)
        return marks.withUnsafeBytes { marks in
            (0..<units.count).map { k in
                guard (k + 1) * 8 <= marks.count, (k + 1) * unitBytes <= data.count else { return false }
                return marks.loadUnaligned(fromByteOffset: k * 8, as: UInt64.self) == ColumnCache.mark(data[(k * unitBytes)..<((k + 1) * unitBytes)])
            }
        }
    }

    /// A unit's mark: a 64-bit hash (FNV-1a over its 8-byte words), never zero (a hole).
    private static func mark(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.withUnsafeBytes { raw in
            var hash: UInt64 = 0xCBF2_9CE4_8422_2325
            for k in 0..<(raw.count / 8) { hash = (hash ^ raw.loadUnaligned(fromByteOffset: k * 8, as: UInt64.self)) &* 0x100_0000_01B3 }
            return hash | 1
        }
    }

    /// The entries of `blocks` of column `name` (`width` bytes each); zeros where nothing was written.
    func read(_ name: String, width: Int, blocks: Range<Int>) -> [UInt8] {
        read(name, width: width * ColumnCache.block, entries: blocks)
    }

    /// Entries `entries` of column `name` (`width` bytes each); zeros where nothing was written.
    func read(_ name: String, width: Int, entries: Range<Int>) -> [UInt8] {
        let count = entries.count * width
        var bytes = pread(directory + "/" + name + ".col", offset: entries.lowerBound * width, count: count)
        if bytes.count < count { bytes += [UInt8](repeating: 0, count: count - bytes.count) }
        return bytes
    }

    /// Writes whole blocks of column `name`, starting at `firstBlock`, and flushes them to disk; they
    /// are not marked filled yet.
    func write(_ name: String, width: Int, firstBlock: Int, _ bytes: ArraySlice<UInt8>) -> Bool {
        write(name, width: width * ColumnCache.block, firstEntry: firstBlock, bytes)
    }

    /// Writes entries of column `name` from `firstEntry` on (`width` bytes each) and flushes them.
    func write(_ name: String, width: Int, firstEntry: Int, _ bytes: ArraySlice<UInt8>) -> Bool {
        let descriptor = open(directory + "/" + name + ".col", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return false }
        defer { Glibc.close(descriptor) }
        return ColumnCache.pwriteAll(descriptor, bytes, offset: firstEntry * width) && fdatasync(descriptor) == 0
    }

    /// Marks units of column `name` filled, each with its bytes (`unitBytes` a unit) in `data`
    /// starting at unit `firstUnit`.
    func markFilled(_ name: String, units: [Int], unitBytes: Int, data: [UInt8], firstUnit: Int) {
        let descriptor = open(directory + "/" + name + ".filled", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return }
        defer { Glibc.close(descriptor) }
        for unit in units {
            let k = unit - firstUnit
            var mark = ColumnCache.mark(data[(k * unitBytes)..<((k + 1) * unitBytes)])
            _ = withUnsafeBytes(of: &mark) { ColumnCache.pwriteAll(descriptor, Array($0)[...], offset: unit * 8) }
        }
    }

    /// The labels column `name` has numbered, in order.
    func labels(_ name: String) -> [String] {
        guard let bytes = FileBytes.read(directory + "/" + name + ".labels") else { return [] }
        return bytes.split(separator: 0x0A).compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line), options: [.fragmentsAllowed])) as? String
        }
    }

    /// Appends newly numbered labels to column `name`'s list and flushes it: before any value naming them.
    func appendLabels(_ name: String, _ labels: [String]) -> Bool {
        guard !labels.isEmpty else { return true }
        var bytes: [UInt8] = []
        for label in labels {
            guard let line = try? JSONSerialization.data(withJSONObject: label, options: [.fragmentsAllowed]) else { return false }
            bytes += line + [0x0A]
        }
        let descriptor = open(directory + "/" + name + ".labels", O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return false }
        defer { Glibc.close(descriptor) }
        return ColumnCache.pwriteAll(descriptor, bytes[...], offset: -1) && fdatasync(descriptor) == 0
    }

    private func pread(_ path: String, offset: Int, count: Int) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0, count > 0 else { return [] }
        defer { Glibc.close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes { Glibc.pread(descriptor, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            done += n
        }
        return Array(bytes[..<done])
    }

    /// Writes all of `bytes` at `offset` (appends when `offset` is negative).
    private static func pwriteAll(_ descriptor: Int32, _ bytes: ArraySlice<UInt8>, offset: Int) -> Bool {
        bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = offset < 0 ? Glibc.write(descriptor, raw.baseAddress! + done, raw.count - done)
                    : Glibc.pwrite(descriptor, raw.baseAddress! + done, raw.count - done, off_t(offset + done))
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { return false }
                done += n
            }
            return true
        }
    }

    private static func writeFile(_ path: String, _ bytes: [UInt8]) -> Bool {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return false }
        defer { Glibc.close(descriptor) }
        return pwriteAll(descriptor, bytes[...], offset: 0) && fsync(descriptor) == 0
    }
}
