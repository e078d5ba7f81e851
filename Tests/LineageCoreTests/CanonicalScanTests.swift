import Foundation
import Testing
@testable import LineageCore

/// The scan (`Record.scanned`) against the full path it shortcuts: parse, validate, re-serialise,
/// compare. Whatever the scan accepts, the full path must accept with the same id, kind, links,
/// prediction id, time and object; and the scan must accept the common records, or it saves nothing.
@Suite("Reading canonical records without a tree")
struct CanonicalScanTests {
    /// The full path, as `Record(canonicalBytes:)` took it before the scan.
    static func fullPath(_ bytes: [UInt8]) -> Record? {
        guard let object = try? JSONParser.parse(bytes).objectValue, let record = try? Record(object),
              record.canonicalBytes == bytes else { return nil }
        return record
    }

    /// Checks the scan's verdict on `bytes` against the full path; returns whether the scan accepted.
    @discardableResult
    static func agree(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        guard let scanned = Record.scanned(bytes) else { return false }
        guard let full = fullPath(bytes) else {
            Issue.record("the scan accepted what the full path refuses: \(String(decoding: bytes, as: UTF8.self))", sourceLocation: sourceLocation)
            return true
        }
        #expect(scanned.id == full.id && scanned.kind == full.kind && scanned.links == full.links, sourceLocation: sourceLocation)
        #expect(scanned.predictionID == full.predictionID && scanned.timeMilliseconds == full.timeMilliseconds, sourceLocation: sourceLocation)
        #expect(scanned.object == full.object, sourceLocation: sourceLocation)
        return true
    }

    static let deployment = "sha256:" + String(repeating: "d", count: 64)
    static let input = "sha256:" + String(repeating: "1", count: 64)

    /// A canonical prediction with `latency` written as given; `extra` members sort between schemaVersion and time.
    static func prediction(latency: String = "41", output: String = #"{"label":"fraud","score":0.5413}"#,
                           extra: String = "") -> [UInt8] {
        Array(("{\"actor\":\"bench\",\"deployment\":\"\(deployment)\",\"input\":\"\(input)\",\"kind\":\"prediction\","
            + "\"latencyMs\":\(latency),\"output\":\(output),\"predictionId\":\"pred-7\",\"schemaVersion\":1,\(extra)"
            + "\"time\":\"2026-01-01T00:00:00.086Z\"}").utf8)
    }

    @Test("common records of every kind are read by the scan, with what the full path reads")
    func commonRecords() throws {
        #expect(Self.agree(Self.prediction()))
        let time = RecordTime.parse("2026-03-01T10:00:00.000Z")!
        let digest = "sha256:" + String(repeating: "a", count: 64)
        let records: [(RecordKind, [(String, JSONValue)])] = [
            (.dataset, [("name", .string("train")), ("version", .number(3)), ("digest", .string(digest)), ("size", .number(1024)),
                        ("uri", .string("s3://bank/train.csv")), ("tags", .object(JSONObject([("team", .string("risk"))])))]),
            (.model, [("name", .string("fraud")), ("version", .number(1)), ("digest", .string(digest)),
                      ("producedBy", .string(Self.deployment))]),
            (.deployment, [("model", .string(Self.deployment)), ("environment", .string("prod")), ("action", .string("deploy"))]),
            (.approval, [("model", .string(Self.deployment)), ("approver", .string("carol")), ("purpose", .string("production"))]),
            (.review, [("prediction", .string(Self.deployment)), ("reviewer", .string("dan")), ("decision", .string("override")),
                       ("output", .array([.number(1), .bool(false), .null]))]),
            (.run, [("name", .string("train-fraud")), ("status", .string("succeeded")), ("durationMs", .number(12.5)),
                    ("params", .object(JSONObject([("lr", .number(0.1)), ("n", .number(100))])))]),
        ]
        for (kind, fields) in records {
            let record = try Record.make(kind, fields: JSONObject(fields), timeMilliseconds: time, actor: "alice")
            #expect(Self.agree(record.canonicalBytes), "\(kind)")
            #expect(try Record(canonicalBytes: record.canonicalBytes).id == record.id)
        }
    }

    @Test("each kind's schema is the one for that kind")
    func schemaPerKind() {
        for kind in RecordKind.allCases {
            #expect(RecordKind.allCases[kind.ordinal] == kind && RecordSchema.of(kind).kind == kind)
        }
    }

    @Test("numbers: the scan takes only ECMAScript's own form, and agrees on all it takes")
    func numbers() {
        var texts = ["0", "-1", "7", "999999999999999", "1000000000000000", "-0", "00", "01", "1.0", "1.50", "0.5", "-0.5",
                     "0.000001", "0.0000001", "0.00001234", "1e5", "1E5", "1e-7", "1.5e3", "123456789012345.6",
                     "12345678901234.5", "0.123456789012345", "0.1234567890123456", "1.", ".5", "-", "--1", "+1", "0x10",
                     "3.14159", "2.5e-8", "100", "1.7976931348623157e308", "9007199254740993", "4.35", "0.1", "0.3"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3_000 {
            let digits = Int.random(in: 1...17, using: &generator)
            let scale = Int.random(in: -9...16, using: &generator)
            let mantissa = Double(UInt64.random(in: 1...UInt64(pow10(digits)), using: &generator))
            let value = mantissa * pow10d(scale - digits)
            texts.append(CanonicalNumber.format(value))
            texts.append(CanonicalNumber.format(-value))
            texts.append(String(value))
        }
        var accepted = 0
        for text in texts where Self.agree(Self.prediction(latency: text)) {
            accepted += 1
            #expect(CanonicalNumber.format(Double(text)!) == text, "\(text)")
        }
        #expect(accepted > texts.count / 3)
        #expect(Record.scanned(Self.prediction(latency: "0.5")) != nil && Record.scanned(Self.prediction(latency: "1.0")) == nil)
    }

    @Test("every one-byte change to a record: whatever the scan still takes, the full path takes alike")
    func oneByteChanges() {
        let base = Self.prediction(extra: #""session":"s-1","#)
        let replacements: [UInt8] = Array(#" "\{}[],:.-+0159aefnrtuzZ"#.utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xFF, 0x0A]
        var accepted = 0, tried = 0
        for position in base.indices {
            for byte in replacements where byte != base[position] {
                var changed = base
                changed[position] = byte
                tried += 1
                if Self.agree(changed) { accepted += 1 }
            }
            var removed = base
            removed.remove(at: position)
            Self.agree(removed)
            var doubled = base
            doubled.insert(base[position], at: position)
            Self.agree(doubled)
        }
        #expect(accepted > 0 && accepted < tried)
    }

    @Test("member order, duplicates, whitespace, escapes and nesting")
    func structure() {
        let good = Self.prediction(extra: #""session":"s-1","#)
        #expect(Self.agree(good))
        let text = String(decoding: good, as: UTF8.self)
        func with(_ old: String, _ new: String) -> String { text.replacingOccurrences(of: old, with: new) }
        let output = #""output":{"label":"fraud","score":0.5413}"#
        var variants: [String] = []
        variants.append(with(#""actor":"bench","#, ""))                               // a required field missing
        variants.append(with(#","kind""#, #", "kind""#))                              // whitespace
        variants.append(with(#""latencyMs":41,"#, #""latencyMs":41,"latencyMs":41,"#)) // a duplicate
        variants.append(with(#""actor":"bench","deployment""#, #""deployment""#)
            .replacingOccurrences(of: #""input""#, with: #""actor":"bench","input""#))   // out of order
        variants.append(with("bench", #"be\"nch"#))                                  // an escape (canonical: left to the full path)
        variants.append(with("bench", #"be\u00e9nch"#))                              // an escape that is not canonical
        variants.append(with("bench", "bénch"))                                       // not ASCII (left to the full path)
        variants.append(with(#""schemaVersion":1"#, #""schemaVersion":2"#))
        variants.append(with(#""kind":"prediction""#, #""kind":"predictions""#))
        variants.append(with(#""deployment""#, #""model""#))
        variants.append(with(#""deployment":"sha256:dd"#, #""deployment":"sha256:dD"#))
        variants.append(with(".086Z", ".86Z"))
        variants.append(with(output, #""output":{"score":0.5413,"label":"fraud"}"#))
        variants.append(with(output, #""output":[[[{"a":[]}]],{},[],true,null]"#))  // the one valid variant
        variants.append(with(output, #""output":"# + String(repeating: "[", count: 20) + String(repeating: "]", count: 20)))
        variants.append(text + " ")
        variants.append(" " + text)
        variants.append(with(#""latencyMs":41"#, #""latencyMs":"41""#))
        variants.append(with(#""session""#, #""unknown""#))
        var accepted = 0
        for variant in variants where Self.agree(Array(variant.utf8)) { accepted += 1 }
        // Only the nested array of objects is both canonical and valid.
        #expect(accepted == 1)
    }
}

private func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { a, _ in a * 10 } }
private func pow10d(_ n: Int) -> Double { n >= 0 ? pow10(n) : 1 / pow10(-n) }
