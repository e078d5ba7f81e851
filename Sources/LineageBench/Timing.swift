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
        let (seconds, status, _) = try measure(arguments, directory: directory, capture: capture, sampleMemory: false)
        return (seconds, status)
    }

    /// Like `run`, and also returns the child's peak resident memory in bytes, sampled while it runs
    /// (the wall time is then up to 20 ms late: use `run` for timing short commands).
    static func measure(_ arguments: [String], directory: String, capture: String? = nil, input: String? = nil,
                        sampleMemory: Bool = true) throws -> (Double, Int32, Int64) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, capture ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        if let input { posix_spawn_file_actions_addopen(&actions, 0, input, O_RDONLY, 0) }
        let previous = FileManager.default.currentDirectoryPath
        _ = FileManager.default.changeCurrentDirectoryPath(directory)
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        var start = timespec(), end = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        let spawned = posix_spawnp(&pid, arguments[0], &actions, nil, argv, environ)
        guard spawned == 0 else { throw BenchError("cannot start \(arguments[0]): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        // The peak RSS is read from /proc while the child runs: wait4's ru_maxrss is no use here,
        // because a process started by posix_spawn (vfork) inherits the bench's own peak at exec.
        var peak: Int64 = 0
        var pause: useconds_t = 1000
        if !sampleMemory { waitpid(pid, &status, 0) }
        while sampleMemory, waitpid(pid, &status, WNOHANG) == 0 {
            peak = max(peak, highWaterMark(pid))
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
        clock_gettime(CLOCK_MONOTONIC, &end)
        let seconds = Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9
        let exited = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return (seconds, exited, peak)
    }

    /// VmHWM of a running process, in bytes (0 once it has exited).
    static func highWaterMark(_ pid: pid_t) -> Int64 {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Int64(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kilobytes * 1024
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
