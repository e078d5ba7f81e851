import Foundation
import Testing

/// What one command printed and how it exited.
struct Outcome {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// A temporary working directory with a `lineage` binary to run in it, as a user would.
final class Workspace {
    let path: String
    var environment: [String: String]

    /// The built binary: $LINEAGE_BIN, or the one beside this test bundle, or .build/debug/lineage.
    static let binary: String = {
        if let explicit = ProcessInfo.processInfo.environment["LINEAGE_BIN"] { return explicit }
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("lineage").path
        if FileManager.default.isExecutableFile(atPath: besideTests) { return besideTests }
        for bundle in Bundle.allBundles {
            let candidate = bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("lineage").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/lineage").path
    }()

    init() throws {
        path = NSTemporaryDirectory() + "lineage-e2e-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment
        environment["LINEAGE_ACTOR"] = "alice@example.com"
        environment["LINEAGE_STORE"] = nil
        environment["NO_COLOR"] = "1"
        self.environment = environment
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Runs `lineage` with `arguments` in `directory` (default: the workspace).
    @discardableResult
    func lineage(_ arguments: String..., in directory: String? = nil, stdin: String? = nil) throws -> Outcome {
        try run(Workspace.binary, arguments, in: directory, stdin: stdin)
    }

    /// Runs `lineage` and expects success; returns stdout.
    @discardableResult
    func ok(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let outcome = try run(Workspace.binary, arguments, in: nil, stdin: nil)
        #expect(outcome.status == 0, "lineage \(arguments.joined(separator: " ")) failed: \(outcome.stderr)", sourceLocation: sourceLocation)
        return outcome.stdout
    }

    /// Runs `lineage` with an argument array and expects success; returns stdout.
    @discardableResult
    func ok(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let outcome = try run(Workspace.binary, arguments, in: nil, stdin: nil)
        #expect(outcome.status == 0, "lineage \(arguments.joined(separator: " ")) failed: \(outcome.stderr)", sourceLocation: sourceLocation)
        return outcome.stdout
    }

    /// Runs git against the store.
    @discardableResult
    func git(_ arguments: String...) throws -> Outcome {
        try run("/usr/bin/env", ["git", "--git-dir", path + "/.lineage"] + arguments, in: nil, stdin: nil)
    }

    func run(_ executable: String, _ arguments: [String], in directory: String?, stdin: String?) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory ?? path)
        process.environment = environment
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Read both pipes concurrently so a large output cannot block the child.
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                       stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Writes a file in the workspace.
    func write(_ name: String, _ contents: String) throws {
        let url = URL(fileURLWithPath: path).appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: url)
    }

    func write(_ name: String, bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path).appendingPathComponent(name))
    }

    /// The commit the store's log ref points at ("" when the log is empty).
    func logHead() throws -> String {
        try git("for-each-ref", "--format=%(objectname)", "refs/lineage/log/").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Asserts `git fsck --strict` finds nothing wrong in the store.
    func expectFsckClean(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let fsck = try git("fsck", "--strict")
        #expect(fsck.status == 0, "git fsck --strict: \(fsck.stderr)", sourceLocation: sourceLocation)
        #expect(!fsck.stderr.contains("error") && !fsck.stderr.contains("warning"), "\(fsck.stderr)", sourceLocation: sourceLocation)
    }

    /// The id printed first on a write command's output line.
    static func id(_ output: String) -> String {
        String(output.split(separator: " ").first ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
