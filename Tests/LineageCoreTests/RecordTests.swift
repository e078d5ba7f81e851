import Foundation
import Testing
@testable import LineageCore

@Suite("Records and ids")
struct RecordTests {
    /// Expected ids were computed independently with Python's hashlib over the literal bytes.
    @Test("an id is sha256 of the canonical bytes")
    func idOfBytes() throws {
        let value = try JSONParser.parse(#"{ "b": [true, null, "x"], "a": 1.0 }"#)
        #expect(value.canonicalString == #"{"a":1,"b":[true,null,"x"]}"#)
        #expect(Digest(hashing: value.canonicalBytes).description
            == "sha256:eca8cfb31ab74533e1eb2f4c74d2d55dfe3c79ac704787e54be8647ea7777eb1")
    }

    @Test("digests round-trip through bytes and text, and order like their bytes")
    func digestsRoundTripAndOrder() throws {
        let digests = (0..<2_000).map { i in Digest(hashing: Array("record \(i)".utf8)) }
        for (a, b) in zip(digests, digests.dropFirst()) {
            #expect(Digest(bytes: a.bytes) == a)
            #expect(Digest(a.description) == a && Digest(Substring(a.description)) == a)
            #expect((a < b) == a.bytes.lexicographicallyPrecedes(b.bytes))
            #expect((a == b) == (a.bytes == b.bytes))
        }
        let text = digests[0].description
        #expect(Digest(text.uppercased()) == nil && Digest(String(text.dropLast())) == nil && Digest(bytes: [1, 2]) == nil)
    }

    @Test("a digest's text is refused with any byte at any position that is not lower-case hex, and read exactly otherwise")
    func digestTextByteByByte() throws {
        let digest = Digest(hashing: Array("record".utf8))
        let text = Array(digest.description.utf8)
        let hex = Set("0123456789abcdef".utf8)
        for position in 7..<71 {
            for byte in UInt8.min...UInt8.max {
                var changed = text
                changed[position] = byte
                let parsed = Digest(String(decoding: changed, as: UTF8.self))
                if hex.contains(byte) {
                    let expected = Hex.encode(digest.bytes)
                    var digits = Array(expected.utf8)
                    digits[position - 7] = byte
                    #expect(parsed?.bytes == Hex.decode(String(decoding: digits, as: UTF8.self)))
                } else {
                    #expect(parsed == nil, "byte \(byte) at \(position)")
                }
            }
        }
        for position in 0..<7 {
            var changed = text
            changed[position] = UInt8(ascii: "x")
            #expect(Digest(String(decoding: changed, as: UTF8.self)) == nil)
        }
    }

    @Test("eight hex digits are read at once exactly as one by one, and any other byte (0x80 and up too) refuses them")
    func hexDigitsAtOnce() throws {
        let base = Array("0123abcd".utf8)
        for position in 0..<8 {
            for byte in UInt8.min...UInt8.max {
                var digits = base
                digits[position] = byte
                let loaded = digits.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                let expected = Hex.decode(String(decoding: digits, as: UTF8.self)).flatMap { bytes in
                    String(decoding: digits, as: UTF8.self) == String(decoding: digits, as: UTF8.self).lowercased() && digits.allSatisfy({ $0 < 0x80 })
                        ? bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) } : nil
                }
                #expect(Digest.hexDigits(loaded) == expected, "byte \(byte) at \(position)")
            }
        }
    }

    @Test("a model record's id matches an independent computation")
    func modelRecordID() throws {
        let fields = JSONObject([("name", .string("fraud")), ("digest", .string("sha256:" + String(repeating: "a", count: 64))),
                                 ("version", .number(1))])
        let record = try Record.make(.model, fields: fields, timeMilliseconds: RecordTime.parse("2026-01-31T12:00:00.000Z")!, actor: "alice")
        #expect(record.id.description == "sha256:502c54824e1e1cde82468367d9d16fee1ecf014f8adfb3ef4ca2e3d8f7cd0925")
        let reread = try Record(canonicalBytes: record.canonicalBytes)
        #expect(reread.id == record.id)
    }

    @Test("bytes that are valid JSON but not canonical are refused as a record")
    func nonCanonicalBytes() throws {
        let record = try Record.make(.model, fields: JSONObject([("name", .string("m")), ("version", .number(1)),
                                                                 ("digest", .string("sha256:" + String(repeating: "b", count: 64)))]),
                                     timeMilliseconds: 0, actor: "a")
        let spaced = Array(String(decoding: record.canonicalBytes, as: UTF8.self).replacingOccurrences(of: ":", with: ": ").utf8)
        #expect(throws: RecordError.self) { try Record(canonicalBytes: spaced) }
    }

    @Test("links are read from link fields in schema order")
    func links() throws {
        let a = "sha256:" + String(repeating: "1", count: 64), b = "sha256:" + String(repeating: "2", count: 64)
        let run = try Record.make(.run, fields: JSONObject([("name", .string("r")), ("inputs", .array([.string(a), .string(b)]))]),
                                  timeMilliseconds: 0, actor: "a")
        #expect(run.links.map(\.relation) == ["inputs", "inputs"])
        #expect(run.links.map(\.target.description) == [a, b])
    }

    @Test("schema errors name the field", arguments: [
        (RecordKind.run, JSONObject([("name", .string("r")), ("colour", .string("red"))]), "no field 'colour'"),
        (.run, JSONObject([("params", .object(JSONObject()))]), "needs the field 'name'"),
        (.run, JSONObject([("name", .string("r")), ("inputs", .string("x"))]), "field 'inputs' must be an array"),
        (.run, JSONObject([("name", .string("a/b"))]), "not allowed"),
        (.prediction, JSONObject([("predictionId", .string("p 1")), ("model", .string("sha256:" + String(repeating: "0", count: 64)))]), "prediction id"),
        (.prediction, JSONObject([("predictionId", .string("p1"))]), "exactly one of 'deployment' or 'model'"),
        (.deployment, JSONObject([("model", .string("sha256:" + String(repeating: "0", count: 64))), ("environment", .string("prod")),
                                  ("action", .string("explode"))]), "must be one of deploy, rollback, retire"),
    ])
    func schemaErrors(kind: RecordKind, fields: JSONObject, expected: String) {
        #expect {
            try Record.make(kind, fields: fields, timeMilliseconds: 0, actor: "a")
        } throws: { error in
            (error as? RecordError)?.message.contains(expected) == true
        }
    }

    @Test("names refuse slashes, dot-dot, control characters and emptiness", arguments: ["", "a/b", "..", "a..b", "x\u{01}y", "-rf", ".hidden", String(repeating: "n", count: 129)])
    func badNames(name: String) {
        #expect(throws: RecordError.self) { try Names.validate(name, what: "name") }
    }

    @Test("timestamps round-trip and reject near misses")
    func times() {
        for ms: Int64 in [0, 1, 999, 1_700_000_000_123, 951_782_400_000 /* 2000-02-29 */] {
            #expect(RecordTime.parse(RecordTime.format(milliseconds: ms)) == ms)
        }
        #expect(RecordTime.format(milliseconds: 1_769_860_800_000) == "2026-01-31T12:00:00.000Z")
        // Foundation's ISO 8601 formatter is the independent reference.
        let reference = ISO8601DateFormatter()
        reference.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for _ in 0..<20_000 {
            let ms = Int64.random(in: -2_000_000_000_000...7_000_000_000_000)
            let text = RecordTime.format(milliseconds: ms)
            #expect(text == reference.string(from: Date(timeIntervalSince1970: Double(ms) / 1000)), "\(ms)")
            #expect(RecordTime.parse(text) == ms)
        }
        for bad in ["2026-02-30T00:00:00.000Z", "2026-01-31T12:00:00Z", "2026-01-31 12:00:00.000Z", "2026-13-01T00:00:00.000Z", "2026-01-31T24:00:00.000Z"] {
            #expect(RecordTime.parse(bad) == nil, "\(bad)")
        }
    }
}

@Suite("UTF-8 validation of arguments")
struct UTF8ValidationTests {
    @Test("agrees with Swift's own validation on valid text, and on every malformed form")
    func agrees() {
        let samples: [[UInt8]] = [
            Array("plain".utf8), Array("Jane Roe, Zürich, 東京, 🙂".utf8), [0xFF], [0xC0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80],
            [0xF4, 0x90, 0x80, 0x80], [0xF0, 0x9F, 0x99], [0x61, 0xE2, 0x82], [0xC3], [0xC3, 0xA9], [0xEF, 0xBF, 0xBD], [0x80],
        ]
        for sample in samples {
            let expected = String(validating: sample, as: UTF8.self) != nil
            let actual = (sample + [0]).withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { Names.isValidUTF8($0.baseAddress!) }
            }
            #expect(actual == expected, "\(sample)")
        }
    }
}
