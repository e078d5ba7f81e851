import Foundation
import Testing
@testable import LineageServer

@Suite("the chunk channel between a store worker and a streamed response")
struct ChunkChannelTests {
    @Test("a channel closed with chunks in flight is freed safely, and its producer is released")
    func closeWithChunksInFlight() async throws {
        for _ in 0..<100 {
            var channel: ChunkChannel? = ChunkChannel(capacity: 8)
            for _ in 0..<3 { #expect(channel!.send([1, 2, 3])) }
            #expect(await channel!.next() == [1, 2, 3])
            channel!.close()
            #expect(channel!.send([4]) == false)
            #expect(await channel!.next() == nil)
            channel = nil // freed with chunks sent and never taken: must not trap
        }
    }

    @Test("a producer blocked on a full channel returns false when the consumer closes it")
    func blockedProducer() async throws {
        let channel = ChunkChannel(capacity: 2)
        let done = DispatchSemaphore(value: 0)
        let results = ResultBox()
        Thread.detachNewThread {
            for i in 0..<10 { results.append(channel.send([UInt8(i)])) }
            done.signal()
        }
        #expect(await channel.next() == [0])
        try await Task.sleep(nanoseconds: 50_000_000)
        channel.close()
        done.wait()
        #expect(results.values.prefix(3) == [true, true, true] && results.values.contains(false))
    }
}

final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Bool] = []
    func append(_ value: Bool) { lock.withLock { stored.append(value) } }
    var values: [Bool] { lock.withLock { stored } }
}
