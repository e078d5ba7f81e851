import Foundation
import Testing

/// Rewrites a store's log with plain git plumbing, as someone tampering with it would.
struct History {
    let workspace: Workspace

    var ref: String { get throws { try workspace.git("for-each-ref", "--format=%(refname)", "refs/lineage/log/").stdout.trimmingCharacters(in: .whitespacesAndNewlines) } }

    /// Commit ids of the log, oldest first.
    func commits() throws -> [String] {
        try workspace.git("rev-list", "--reverse", try ref).stdout.split(separator: "\n").map(String.init)
    }

    /// The raw text of a commit object.
    func raw(_ commit: String) throws -> String { try workspace.git("cat-file", "commit", commit).stdout }

    /// Writes an object with `git hash-object -w` and returns its id.
    func write(_ type: String, _ content: String) throws -> String {
        let outcome = try workspace.run("/usr/bin/env", ["git", "--git-dir", workspace.path + "/.lineage", "hash-object", "-t", type, "-w", "--stdin"],
                                        in: nil, stdin: content)
        #expect(outcome.status == 0, "hash-object: \(outcome.stderr)")
        return outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// All records of a batch commit: its segment files, concatenated in order.
    func segment(_ commit: String) throws -> String {
        let names = try workspace.git("ls-tree", "--name-only", commit).stdout.split(separator: "\n")
        #expect(!names.isEmpty && names.allSatisfy { $0.hasPrefix("records-") })
        return try names.map { try workspace.git("cat-file", "blob", "\(commit):\($0)").stdout }.joined()
    }

    /// A tree holding `segment` as one segment file for records starting at log position `firstSeq`.
    func tree(segment: String, firstSeq: Int) throws -> String {
        let blob = try write("blob", segment)
        let digits = String(firstSeq)
        let name = "records-" + String(repeating: "0", count: 12 - digits.count) + digits + ".ndjson"
        let outcome = try workspace.run("/usr/bin/env", ["git", "--git-dir", workspace.path + "/.lineage", "mktree"], in: nil,
                                        stdin: "100644 blob \(blob)\t\(name)\n")
        return outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Re-chains raw commit texts in order (fixing each one's parent line) and points the log at the last.
    func rechain(_ raws: [String]) throws {
        var parent: String?
        for raw in raws {
            var lines = raw.components(separatedBy: "\n")
            lines.removeAll { $0.hasPrefix("parent ") }
            if let parent { lines.insert("parent " + parent, at: 1) }
            parent = try write("commit", lines.joined(separator: "\n"))
        }
        try workspace.git("update-ref", try ref, parent!)
    }

    /// Replaces the tree line of a raw commit.
    static func replacingTree(_ raw: String, with tree: String) -> String {
        raw.components(separatedBy: "\n").map { $0.hasPrefix("tree ") ? "tree " + tree : $0 }.joined(separator: "\n")
    }
}

extension Workspace {
    /// A store with `count` unrelated datasets, one batch each.
    static func withDatasets(_ count: Int) throws -> Workspace {
        let workspace = try Workspace()
        try workspace.ok("init", "--origin", "example.com/audit")
        try workspace.addDatasets(count, file: "d", name: "d", content: "value")
        return workspace
    }

    /// Adds `count` one-file datasets named `<name>0`…, each in its own batch.
    func addDatasets(_ count: Int, file: String, name: String, content: String) throws {
        for i in 0..<count {
            try write("\(file)\(i).csv", "\(content)\n\(i)\n")
            try ok("add", "dataset", "\(file)\(i).csv", "--name", "\(name)\(i)")
        }
    }

    /// Runs `lineage verify` expecting a failure (exit 1) whose message mentions `fragment`.
    func expectVerifyFails(_ arguments: [String] = [], mentioning fragment: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let outcome = try run(Workspace.binary, ["verify"] + arguments, in: nil, stdin: nil)
        #expect(outcome.status == 1, "verify exited \(outcome.status): \(outcome.stdout)\(outcome.stderr)", sourceLocation: sourceLocation)
        #expect(outcome.stderr.hasPrefix("lineage: FAILED: "), "\(outcome.stderr)", sourceLocation: sourceLocation)
        #expect(outcome.stderr.contains(fragment), "\(outcome.stderr) lacks \(fragment)", sourceLocation: sourceLocation)
    }
}
