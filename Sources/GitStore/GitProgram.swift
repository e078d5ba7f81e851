import Foundation

/// The stock `git` program, for what libgit2 here is not built to do: talk to other repositories
/// (ssh, https, git://, file://), with the user's own git set-up (credentials, ssh agent, proxies).
/// Each call runs one `git` process on one repository and waits for it; it never prompts.
public enum GitProgram {
    /// A `git` run that failed: its exit status and what it said on stderr.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        /// The exit status; -1 when `git` could not be started.
        public let status: Int32
        /// The last lines git printed on stderr, trimmed.
        public let message: String

        public var description: String { message }
    }

    /// Settings given to every run: no automatic housekeeping in a lineage store (a `gc` would pack
    /// the log's objects behind the store's back), no hooks, no `ext::` commands, no prompts.
    static let settings = [
        "-c", "gc.auto=0", "-c", "maintenance.auto=false", "-c", "fetch.writeCommitGraph=false",
        "-c", "core.hooksPath=/dev/null", "-c", "protocol.ext.allow=never", "-c", "credential.interactive=never",
    ]

    /// Runs `git --git-dir DIR ARGUMENTS…` and returns its stdout. Throws `Failure` when git fails
    /// or cannot be started.
    @discardableResult
    public static func run(gitDirectory: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "--git-dir", gitDirectory] + settings + arguments
        var environment = ProcessInfo.processInfo.environment
        for name in ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES"] {
            environment[name] = nil
        }
        environment["GIT_TERMINAL_PROMPT"] = "0"
        environment["GIT_ASKPASS"] = environment["GIT_ASKPASS"] ?? "/bin/false"
        environment["LC_ALL"] = "C"
        process.environment = environment
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw Failure(status: -1, message: "the git program cannot be started (\(error.localizedDescription)); install git")
        }
        // Both pipes are drained at once, so a chatty git never blocks on a full pipe.
        let stderrData = LockedData()
        let reader = DispatchGroup()
        DispatchQueue.global().async(group: reader) { stderrData.set(errors.fileHandleForReading.readDataToEndOfFile()) }
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        reader.wait()
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let lines = String(decoding: stderrData.get(), as: UTF8.self).split(separator: "\n")
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("hint:") }
            let status = process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus
            // git's first fatal or error line says what went wrong; what follows is advice.
            let said = lines.first { $0.hasPrefix("fatal:") || $0.hasPrefix("error:") } ?? lines.last
            throw Failure(status: status, message: said ?? "git exited with status \(status)")
        }
        return String(decoding: stdout, as: UTF8.self)
    }

    /// Bytes handed from the stderr reader to the caller. Unchecked Sendable: written once on the
    /// reader's queue and read after `DispatchGroup.wait()`, which orders the two; the lock makes it plain.
    private final class LockedData: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func set(_ value: Data) { lock.withLock { data = value } }
        func get() -> Data { lock.withLock { data } }
    }
}
