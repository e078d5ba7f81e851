import Testing
@testable import LineageCore

/// `RecordMember` finds values by stepping over members, and must agree with parsing the record
/// whole, whatever the other members hold.
@Suite("reading one member of a record")
struct RecordMemberTests {
    @Test("values at paths agree with the parsed record, past strings with escapes, arrays and nested objects")
    func agreesWithParser() throws {
        let records = [
            #"{"a":"x\"}{,","b":[1,{"c":"]"}],"monitored":{"amount":12.5,"country":"FR"},"output":{"label":"ok","score":0.25}}"#,
            #"{"monitored":{},"output":"plain"}"#,
            #"{"output":{"score":-0.0,"z":{"score":3}},"time":"t"}"#,
            #"{"output":[1,2]}"#,
            #"{"x":"\\","output":{"label":"a\u0000b"}}"#,
        ]
        let paths = [["output"], ["output", "score"], ["output", "label"], ["monitored", "amount"], ["monitored", "country"], ["missing"], ["output", "z", "score"]]
        for text in records {
            let parsed = try JSONParser.parse(text)
            for path in paths {
                var expected: JSONValue? = parsed.objectValue?[path[0]]
                for name in path.dropFirst() { expected = expected?.objectValue?[name] }
                #expect(RecordMember.value(path, in: Array(text.utf8)) == expected, "\(path) in \(text)")
            }
        }
        // Not JSON: nil, never a crash.
        for broken in [#"{"output":{"score":"#, #"{"output""#, "", "[", #"{"output":{"score":1}"#] {
            _ = RecordMember.value(["output", "score"], in: Array(broken.utf8))
        }
    }

    @Test("the radix sort orders as the standard sort does, negatives and zeros included")
    func radixSort() {
        var state: UInt64 = 7
        let values = (0..<20_000).map { i -> Double in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let x = Double(Int64(bitPattern: state) >> 20) / 1e6
            return i % 7 == 0 ? Double(i % 3) - 1 : (i % 11 == 0 ? -0.0 : x)
        }
        #expect(DriftStatistics.sorted(values) == values.sorted())
    }
}
