import Foundation
import Testing

/// `lineage payload export` and `verify-proof --payload`: an auditor checks a raw payload against
/// the commitment in a signed record, with no store; anything altered is refused.
@Suite("payload files")
struct PayloadEvidenceTests {
    @Test("an exported payload verifies against the bundle, with no store, and reads back")
    func exportAndVerify() throws {
        let (w, _, _) = try EvidenceTests.proven()
        try w.ok("payload", "export", "pred-8812", "-o", "input.json")
        let mode = try FileManager.default.attributesOfItem(atPath: w.path + "/input.json")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        try FileManager.default.removeItem(atPath: w.path + "/.lineage")
        let verified = try w.lineage("verify-proof", "bundle.json", "--key", "pub.txt", "--payload", "input.json")
        #expect(verified.status == 0, "\(verified.stderr)")
        #expect(verified.stdout.contains("OK: the input payload of pred-8812"), "\(verified.stdout)")
        let json = try w.lineage("verify-proof", "bundle.json", "--key", "pub.txt", "--payload", "input.json", "--json")
        #expect(json.status == 0 && json.stdout.contains("\"payloads\""))
    }

    @Test("a payload changed by one byte, a salt changed, another record's payload, a malformed file: each refused")
    func tampered() throws {
        let (w, _, _) = try EvidenceTests.proven()
        try w.ok("payload", "export", "pred-8812", "-o", "input.json")
        let original = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: w.path + "/input.json"))) as? [String: Any])
        func check(_ change: (inout [String: Any]) -> Void, exit expected: Int32, mentioning fragment: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            var altered = original
            change(&altered)
            try Data(try JSONSerialization.data(withJSONObject: altered)).write(to: URL(fileURLWithPath: w.path + "/altered.json"))
            let outcome = try w.lineage("verify-proof", "bundle.json", "--key", "pub.txt", "--payload", "altered.json")
            #expect(outcome.status == expected, "exit \(outcome.status): \(outcome.stderr)", sourceLocation: sourceLocation)
            #expect(outcome.stderr.contains(fragment), "\(outcome.stderr) lacks \(fragment)", sourceLocation: sourceLocation)
        }
        var payload = try #require(Data(base64Encoded: original["payload"] as! String))
        payload[0] ^= 1
        try check({ $0["payload"] = payload.base64EncodedString() }, exit: 1, mentioning: "does not match its commitment")
        try check({ $0["salt"] = String(repeating: "0", count: 64) }, exit: 1, mentioning: "does not match its commitment")
        try check({ $0["record"] = "sha256:" + String(repeating: "1", count: 64) }, exit: 1, mentioning: "not in the bundle")
        try check({ $0["commitment"] = "sha256:" + String(repeating: "2", count: 64) }, exit: 1, mentioning: "does not hold commitment")
        try check({ $0["extra"] = true }, exit: 2, mentioning: "unknown member")
        try check({ $0["format"] = "something else" }, exit: 2, mentioning: "not a payload file")
        try check({ $0["salt"] = "zz" }, exit: 2, mentioning: "needs record and commitment")
    }

    @Test("export refuses a field with no commitment, and a payload no longer stored")
    func exportRefusals() throws {
        let (w, _, _) = try EvidenceTests.proven()
        let noField = try w.lineage("payload", "export", "pred-8812", "--field", "output")
        #expect(noField.status == 2, "\(noField.stderr)")
        #expect(noField.stderr.contains("holds no payload commitment"))
        try FileManager.default.removeItem(atPath: w.path + "/.lineage/payloads")
        let gone = try w.lineage("payload", "export", "pred-8812")
        #expect(gone.status == 3, "\(gone.stderr)")
        #expect(gone.stdout.isEmpty)
    }
}
