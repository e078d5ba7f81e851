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

    @Test("strings read eight bytes at a time end and refuse exactly where reading byte by byte does")
    func stringWords() {
        // Every byte value at every position of a string long enough for two words and a tail.
        for position in 0..<19 {
            for byte in 0...255 {
                var text = [UInt8](repeating: UInt8(ascii: "a"), count: 19)
                text[position] = UInt8(byte)
                let bytes = [UInt8(ascii: "\"")] + text + [UInt8(ascii: "\"")]
                // The reading the scan must keep: the first byte that is not printable ASCII or is a
                // backslash refuses; the first quote ends the string.
                var expected: Range<Int>?
                for (k, c) in bytes.enumerated().dropFirst() {
                    if c == UInt8(ascii: "\"") { expected = 1..<k; break }
                    if c < 0x20 || c > 0x7E || c == UInt8(ascii: "\\") { break }
                }
                var i = 0
                let found = bytes.withUnsafeBufferPointer { CanonicalScan.string($0, &i) }
                #expect(found == expected, "byte \(byte) at \(position)")
                if let expected { #expect(i == expected.upperBound + 1) }
            }
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

/// `Record.make(scanning:)`, which ingest takes for lines already in canonical form, against
/// what ingest does with any line: parse, resolve link names, `Record.make`.
@Suite("Building records from canonical lines without a tree")
struct ScannedLineTests {
    static let deploymentID = Digest(hashing: Array("deployment".utf8))
    static let modelID = Digest(hashing: Array("model".utf8))
    static let names: [String: (Digest, RecordKind)] = [
        "deployment:fraud/prod": (deploymentID, .deployment), "model:fraud@1": (modelID, .model),
        deploymentID.description: (deploymentID, .deployment), modelID.description: (modelID, .model),
    ]
    static let time: Int64 = 1_767_225_600_123

    static func resolve(_ reference: String, _ allowed: [RecordKind]) -> Digest? {
        names[reference].flatMap { allowed.contains($0.1) ? $0.0 : nil }
    }

    /// What ingest builds from `line` by parsing it.
    static func fullPath(_ line: [UInt8]) -> Record? {
        guard var fields = try? JSONParser.parse(line).objectValue,
              let kind = RecordKind(rawValue: fields["kind"]?.stringValue ?? "prediction") else { return nil }
        fields["kind"] = nil
        for field in RecordSchema.of(kind).linkFields {
            guard case .link(let allowed) = field.type else { continue }
            if let reference = fields[field.name]?.stringValue {
                guard let id = resolve(reference, allowed) else { return nil }
                fields[field.name] = .string(id.description)
            }
        }
        return try? Record.make(kind, fields: fields, timeMilliseconds: time, actor: "ingest@host")
    }

    /// Checks the scanned build of `line` against the full path; returns whether the scan built it.
    @discardableResult
    static func agree(_ line: String, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        let bytes = Array(line.utf8)
        guard let (record, added) = Record.make(scanning: bytes, defaultKind: .prediction, timeMilliseconds: time,
                                                actor: "ingest@host", resolve: resolve) else { return false }
        guard let full = fullPath(bytes) else {
            Issue.record("built by the scan but refused by the full path: \(line)", sourceLocation: sourceLocation)
            return true
        }
        #expect(record.canonicalBytes == full.canonicalBytes, "\(line)", sourceLocation: sourceLocation)
        let given = (try? JSONParser.parse(bytes).objectValue) ?? JSONObject()
        #expect(Set(added) == Set(["actor", "kind", "schemaVersion", "time"].filter { given[$0] == nil }), sourceLocation: sourceLocation)
        return true
    }

    static let input = "sha256:" + String(repeating: "1", count: 64)
    static let line = #"{"deployment":"deployment:fraud/prod","input":""# + input
        + #"","latencyMs":41,"output":{"label":"fraud","score":0.5413},"predictionId":"pred-0","time":"2026-01-01T00:00:00.000Z"}"#

    @Test("common lines are built by the scan, exactly as the full path builds them")
    func commonLines() {
        #expect(Self.agree(Self.line))
        #expect(Self.agree(#"{"actor":"bench","# + String(Self.line.dropFirst())))
        #expect(Self.agree(Self.line.replacingOccurrences(of: "deployment:fraud/prod", with: Self.deploymentID.description)))
        #expect(Self.agree(Self.line.replacingOccurrences(of: #""deployment":"deployment:fraud/prod""#, with: #""model":"model:fraud@1""#)
            .replacingOccurrences(of: #"{"model":"model:fraud@1","input""#, with: #"{"input""#)
            .replacingOccurrences(of: #""output""#, with: #""model":"model:fraud@1","output""#)))
        #expect(Self.agree(Self.line.replacingOccurrences(of: #""latencyMs""#, with: #""kind":"prediction","latencyMs""#)))
        #expect(Self.agree(Self.line.replacingOccurrences(of: #""time""#, with: #""schemaVersion":1,"time""#)))
    }

    @Test("lines the scan leaves to the full path")
    func leftToTheFullPath() {
        let refused = [
            Self.line.replacingOccurrences(of: "deployment:fraud/prod", with: "deployment:fraud/unknown"),   // unknown name
            Self.line.replacingOccurrences(of: "deployment:fraud/prod", with: Self.input),                     // unknown id
            Self.line.replacingOccurrences(of: "deployment:fraud/prod", with: Self.modelID.description),       // a model's id
            Self.line.replacingOccurrences(of: #""deployment""#, with: #""model""#)
                .replacingOccurrences(of: "deployment:fraud/prod", with: "model:fraud@1"),                    // out of order
            Self.line.replacingOccurrences(of: "\"deployment\":\"deployment:fraud/prod", with: "\"model\":\"deployment:fraud/prod"),
            Self.line.replacingOccurrences(of: Self.input, with: "raw text"),                                 // a raw payload
            Self.line.replacingOccurrences(of: #""time""#, with: #""schemaVersion":2,"time""#),
            Self.line.replacingOccurrences(of: #""latencyMs""#, with: #""kind":"dataset","latencyMs""#),
            Self.line.replacingOccurrences(of: ",", with: ", "),
            Self.line.replacingOccurrences(of: "41", with: "41.0"),
            Self.line.replacingOccurrences(of: "fraud\"", with: "fräud\""),
        ]
        for line in refused { #expect(!Self.agree(line), "\(line)") }
    }

    @Test("every one-byte change to a line: whatever the scan still builds, the full path builds alike")
    func oneByteChanges() {
        let base = Array(Self.line.utf8)
        let replacements: [UInt8] = Array(#" "\{}[],:.-0159aekprtz"#.utf8) + [0x00, 0x1F, 0x80, 0xFF]
        var built = 0
        for position in base.indices {
            for byte in replacements where byte != base[position] {
                var changed = base
                changed[position] = byte
                if Self.agree(String(decoding: changed, as: UTF8.self)), String(decoding: changed, as: UTF8.self).utf8.elementsEqual(changed) {
                    built += 1
                }
            }
        }
        #expect(built > 0)
    }
}

private func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { a, _ in a * 10 } }
private func pow10d(_ n: Int) -> Double { n >= 0 ? pow10(n) : 1 / pow10(-n) }
