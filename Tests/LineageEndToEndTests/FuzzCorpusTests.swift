import Foundation
import Testing

/// The fuzz targets' seed corpus, replayed through the targets without libFuzzer (`make fuzz`
/// fuzzes them; this keeps every saved input, including any that once crashed, passing).
@Suite("fuzz corpus replay")
struct FuzzCorpusTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("every input of the seed corpus passes its target", arguments: ["json", "scan", "line", "bundle", "note", "policy", "time"])
    func replay(target: String) throws {
        let beside = URL(fileURLWithPath: Workspace.binary).deletingLastPathComponent().appendingPathComponent("lineage-fuzz").path
        let binary = FileManager.default.isExecutableFile(atPath: beside) ? beside : Self.root.appendingPathComponent(".build/debug/lineage-fuzz").path
        let corpus = Self.root.appendingPathComponent("Fuzz/corpus/\(target)").path
        let inputs = try FileManager.default.contentsOfDirectory(atPath: corpus)
        #expect(!inputs.isEmpty)
        let w = try Workspace()
        let outcome = try w.run(binary, [target, corpus], in: nil, stdin: nil)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("\(target): \(inputs.count) inputs replayed"))
    }
}
