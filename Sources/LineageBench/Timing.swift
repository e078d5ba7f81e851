import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs whole processes and times them as a user would experience them. Processes are started with
/// posix_spawn and reaped with waitpid: Foundation's Process adds tens of milliseconds of its own.
enum Timing {
    /// Runs `arguments` (looked up on PATH) with stdout sent to `capture` or /dev/null; returns its
    /// wall time in seconds and its exit status.
    static func run(_ arguments: [String], directory: String, capture: String? = nil) throws -> (Double, Int32) {
        let (seconds, status, _) = try measure(arguments, directory: directory, capture: capture)
        return (seconds, status)
    }

    /// Like `run`, and also returns the child's peak resident memory in bytes.
    static func measure(_ arguments: [String], directory: String, capture: String? = nil, input: String? = nil) throws -> (Double, Int32, Int64) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, capture ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        if let input { posix_spawn_file_actions_addopen(&actions, 0, input, O_RDONLY, 0) }
        let previous = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(directory)
        defer { FileManager.default.changeCurrentDirectoryPath(previous) }
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        var start = timespec(), end = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        let spawned = posix_spawnp(&pid, arguments[0], &actions, nil, argv, environ)
        guard spawned == 0 else { throw BenchError("cannot start \(arguments[0]): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        var usage = rusage()
        wait4(pid, &status, 0, &usage)
        clock_gettime(CLOCK_MONOTONIC, &end)
        let seconds = Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9
        let exited = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return (seconds, exited, Int64(usage.ru_maxrss) * 1024)
    }

    /// The median wall time of `repeats` runs; fails if any run fails.
    static func median(_ arguments: [String], directory: String, repeats: Int) throws -> Double {
        var times: [Double] = []
        for _ in 0..<repeats {
            let (seconds, status) = try run(arguments, directory: directory)
            guard status == 0 else { throw BenchError("\(arguments.joined(separator: " ")) exited \(status)") }
            times.append(seconds)
        }
        return times.sorted()[times.count / 2]
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
