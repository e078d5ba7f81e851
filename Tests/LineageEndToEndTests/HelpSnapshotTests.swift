import Foundation
import Testing

/// Every command's `--help` against a snapshot in Tests/snapshots/help/, as swift-argument-parser's
/// own example tests do: a change to any help text shows up in review. After changing help on
/// purpose, run the tests with LINEAGE_UPDATE_SNAPSHOTS=1 and commit the new snapshots.
@Suite("Help snapshots")
struct HelpSnapshotTests {
    static let directory = ConventionTests.root + "/Tests/snapshots/help"

    /// Every command path ("lineage", "lineage", "record", "run", …), from the binary's own help dump.
    static func commandPaths() throws -> [[String]] {
        let w = try Workspace()
        let dump = try JSONSerialization.jsonObject(with: Data(try w.ok("--experimental-dump-help").utf8)) as? [String: Any]
        func walk(_ command: [String: Any], _ path: [String]) -> [[String]] {
            let subcommands = command["subcommands"] as? [[String: Any]] ?? []
            return [path] + subcommands.flatMap { walk($0, path + [$0["commandName"] as? String ?? "?"]) }
        }
        return walk(dump?["command"] as? [String: Any] ?? [:], ["lineage"])
    }

    @Test("every command's --help matches its snapshot")
    func helpSnapshots() throws {
        let w = try Workspace()
        w.environment["COLUMNS"] = nil
        let update = ProcessInfo.processInfo.environment["LINEAGE_UPDATE_SNAPSHOTS"] == "1"
        try FileManager.default.createDirectory(atPath: Self.directory, withIntermediateDirectories: true)
        var expected = Set(try FileManager.default.contentsOfDirectory(atPath: Self.directory))
        for path in try Self.commandPaths() {
            let name = path.joined(separator: "-") + ".txt"
            expected.remove(name)
            let help = try w.ok(Array(path.dropFirst()) + ["--help"])
            let file = Self.directory + "/" + name
            if update {
                try Data(help.utf8).write(to: URL(fileURLWithPath: file))
                continue
            }
            let snapshot = FileManager.default.contents(atPath: file).map { String(decoding: $0, as: UTF8.self) }
            #expect(snapshot == help, "\(path.joined(separator: " ")) --help differs from Tests/snapshots/help/\(name) (LINEAGE_UPDATE_SNAPSHOTS=1 remakes it)")
        }
        #expect(update || expected.isEmpty, "snapshots of commands that no longer exist: \(expected.sorted())")
    }
}
