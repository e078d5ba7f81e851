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

    /// Which of `units` of column `name` hold their values, given the words read for them (`data`,
    /// `unitWords` a unit): each unit's mark is a hash of its words, so a mark lost, or words lost or
    /// damaged after it was made (a file cut short, a hole), leave the unit to compute again. A unit
    /// is a block of entries, or one entry for a column of one entry a block.
    func filled(_ name: String, unitWords: Int, units: Range<Int>, data: [UInt64]) -> [Bool] {
        let marks = words(directory + "/" + name + ".filled", offset: units.lowerBound, count: units.count)
        return (0..<units.count).map { k in
            (k + 1) * unitWords <= data.count && marks[k] == ColumnCache.mark(data[(k * unitWords)..<((k + 1) * unitWords)])
        }
    }

    /// A unit's mark: a 64-bit hash (FNV-1a over its words), never zero (a hole).
    private static func mark(_ words: ArraySlice<UInt64>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for word in words { hash = (hash ^ word) &* 0x100_0000_01B3 }
        return hash | 1
    }

    /// Entries `entries` of column `name` (`width` words each; a block of entries is
    /// `width * block` words); zeros where nothing was written.
    func read(_ name: String, width: Int, entries: Range<Int>) -> [UInt64] {
        words(directory + "/" + name + ".col", offset: entries.lowerBound * width, count: entries.count * width)
    }

    /// Writes entries of column `name` from `firstEntry` on (`width` words each) and flushes them;
    /// they are not marked filled yet.
    func write(_ name: String, width: Int, firstEntry: Int, _ words: ArraySlice<UInt64>) -> Bool {
        let descriptor = open(directory + "/" + name + ".col", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return false }
        defer { Glibc.close(descriptor) }
        return words.withUnsafeBytes { ColumnCache.pwriteAll(descriptor, $0, offset: firstEntry * width * 8) } && fdatasync(descriptor) == 0
    }

    /// Marks units of column `name` filled, each with its words (`unitWords` a unit) in `data`
    /// starting at unit `firstUnit`.
    func markFilled(_ name: String, units: [Int], unitWords: Int, data: [UInt64], firstUnit: Int) {
        let descriptor = open(directory + "/" + name + ".filled", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return }
        defer { Glibc.close(descriptor) }
        // Consecutive units' marks in one write each.
        var start = 0
        while start < units.count {
            var end = start + 1
            while end < units.count, units[end] == units[end - 1] + 1 { end += 1 }
            let marks = units[start..<end].map { unit in ColumnCache.mark(data[((unit - firstUnit) * unitWords)..<((unit - firstUnit + 1) * unitWords)]) }
            _ = marks.withUnsafeBytes { ColumnCache.pwriteAll(descriptor, $0, offset: units[start] * 8) }
            start = end
        }
    }

    /// The labels column `name` has numbered, in order.
    /// A list that does not read back whole (a line cut by a crash, damage) would renumber every
    /// label after it: the column is then emptied, to be read again from the log. Call it before
    /// reading the column's entries.
    func labels(_ name: String) -> [String] {
        let file = directory + "/" + name + ".labels"
        guard let bytes = FileBytes.read(file), !bytes.isEmpty else { return [] }
        let labels = bytes.split(separator: 0x0A).map { line in
            (try? JSONSerialization.jsonObject(with: Data(line), options: [.fragmentsAllowed])) as? String
        }
        guard bytes.last == 0x0A, !labels.contains(nil) else {
            for suffix in [".col", ".filled", ".labels"] { unlink(directory + "/" + name + suffix) }
            return []
        }
        return labels.map { $0! }
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
        return bytes.withUnsafeBytes { ColumnCache.pwriteAll(descriptor, $0, offset: -1) } && fdatasync(descriptor) == 0
    }

    /// `count` words of the file at `path` from word `offset` on (little-endian, as the machines
    /// Swift on Linux runs on are), read straight into the array; zeros past the end of the file.
    private func words(_ path: String, offset: Int, count: Int) -> [UInt64] {
        var words = [UInt64](repeating: 0, count: count)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0, count > 0 else { return words }
        defer { Glibc.close(descriptor) }
        words.withUnsafeMutableBytes { raw in
            var done = 0
            while done < raw.count {
                let n = Glibc.pread(descriptor, raw.baseAddress! + done, raw.count - done, off_t(offset * 8 + done))
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { break }
                done += n
            }
            // A partial word at the end of a cut file is no word.
            if done % 8 != 0 { memset(raw.baseAddress! + done - done % 8, 0, done % 8) }
        }
        return words
    }

    /// Writes all of `bytes` at `offset` (appends when `offset` is negative).
    private static func pwriteAll(_ descriptor: Int32, _ raw: UnsafeRawBufferPointer, offset: Int) -> Bool {
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

    private static func writeFile(_ path: String, _ bytes: [UInt8]) -> Bool {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return false }
        defer { Glibc.close(descriptor) }
        return bytes.withUnsafeBytes { pwriteAll(descriptor, $0, offset: 0) } && fsync(descriptor) == 0
    }
}
