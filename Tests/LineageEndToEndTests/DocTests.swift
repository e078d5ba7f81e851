import Foundation
import Testing

/// The README's walk-through and the auditor's guide, run as a reader would type them: every shell
/// block in order (but those marked `<!-- not run: … -->`), in an empty directory, with lineage on
/// the PATH and no settings of this machine's user (no LINEAGE_ACTOR, an empty HOME).
@Suite("Documentation runs as written")
struct DocTests {
    static func script(_ document: String) throws -> String {
        let w = try Workspace()
        let extracted = try w.run("/usr/bin/env", ["python3", ConventionTests.root + "/Tests/validators/doc_script.py", ConventionTests.root + "/" + document], in: nil, stdin: nil)
        try #require(extracted.status == 0, "\(extracted.stderr)")
        return extracted.stdout
    }

    @Test("the README's walk-through, then the auditor's guide in its store, run end to end")
    func readmeAndAuditorsGuide() throws {
        let w = try Workspace()
        let bin = URL(fileURLWithPath: Workspace.binary).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: w.path + "/home", withIntermediateDirectories: true)
        let system = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        w.environment = ["PATH": bin + ":" + system, "HOME": w.path + "/home", "NO_COLOR": "1", "LANG": "C.UTF-8"]
        let script = try Self.script("README.md") + "\n" + Self.script("docs/auditors-guide.md")
        try w.write("docs.sh", script)
        let run = try w.run("/bin/bash", ["docs.sh"], in: nil, stdin: nil)
        #expect(run.status == 0, "the documented commands failed (exit \(run.status)); the last block started is the one that failed:\n\(run.stderr.suffix(3000))")
        #expect(run.stdout.contains("lineage gate: PASSED model:fraud@1"), "the walk-through's gate did not pass:\n\(run.stdout.suffix(2000))")
        #expect(run.stdout.contains("OK: the input payload of pred-8812"), "\(run.stdout.suffix(2000))")
        #expect(run.stdout.contains("one history"))
    }
}
