import Foundation
import LineageCore

/// Parses the stored records of a batch's segments on every core: rebuilding the index is
/// mostly JSON parsing, and segments are independent.
enum ParallelParse {
    /// Collects each segment's records, or the first failure, from worker threads.
    private final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private var records: [[Record]]
        private var failure: (segment: Int, error: RecordError)?

        init(count: Int) { records = Array(repeating: [], count: count) }

        func set(_ index: Int, _ value: Result<[Record], RecordError>) {
            lock.lock()
            defer { lock.unlock() }
            switch value {
            case .success(let parsed): records[index] = parsed
            case .failure(let error): if failure == nil || index < failure!.segment { failure = (index, error) }
            }
        }

        func finish() throws(RecordError) -> [Record] {
            if let failure { throw failure.error }
            return records.flatMap { $0 }
        }
    }

    /// The records of `parts`, in order; throws the error of the first unreadable one.
    static func records(of parts: [Segment.Part]) throws(RecordError) -> [Record] {
        let results = Results(count: parts.count)
        DispatchQueue.concurrentPerform(iterations: parts.count) { i in
            let part = parts[i]
            do throws(RecordError) {
                var parsed: [Record] = []
                parsed.reserveCapacity(part.ranges.count)
                for (offset, length) in part.ranges {
                    parsed.append(try Record(storedBytes: Array(part.bytes[offset..<(offset + length)])))
                }
                results.set(i, .success(parsed))
            } catch {
                results.set(i, .failure(error))
            }
        }
        return try results.finish()
    }
}
