import Testing
@testable import LineageStore

@Suite("the prefix set verify remembers predictions in")
struct SeenRecordsTests {
    @Test("holds exactly what was inserted, across growth, with colliding slots and the all-zero prefix")
    func prefixSet() {
        var set = PrefixSet()
        var generator = SystemRandomNumberGenerator()
        var inserted: [(UInt64, UInt64)] = [(0, 0), (0, 1), (1, 0), (5, 7), (5, 8), (5 + 1024, 7)]
        for _ in 0..<5000 { inserted.append((generator.next(), generator.next())) }
        #expect(!set.contains((0, 0)))
        for prefix in inserted {
            let added = set.insert(prefix)
            #expect(added)
        }
        for prefix in inserted {
            let again = set.insert(prefix)
            #expect(!again)
        }
        #expect(set.count == inserted.count)
        for prefix in inserted { #expect(set.contains(prefix)) }
        for prefix in [(5, 9), (6, 7), (0, 2), (2, 0)] as [(UInt64, UInt64)] { #expect(!set.contains(prefix)) }
        var absent = 0
        for _ in 0..<5000 where !set.contains((generator.next(), generator.next())) { absent += 1 }
        #expect(absent == 5000)
    }
}
