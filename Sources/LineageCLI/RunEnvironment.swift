import Foundation
import LineageCore
import LineageEngine
import LineageStore
#if canImport(Glibc)
import Glibc
#endif

/// What a run ran on: OS, CPU, tool versions and, for Python commands, the interpreter and a
/// digest of `pip freeze`.
enum RunEnvironment {
    static func capture(command: [String]) -> JSONObject {
        var environment = JSONObject()
        var system = utsname()
        uname(&system)
        func text<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        environment["os"] = .string("\(text(system.sysname)) \(text(system.release))")
        environment["arch"] = .string(text(system.machine))
        environment["cpus"] = .number(Double(ProcessInfo.processInfo.activeProcessorCount))
        if let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first(where: { $0.hasPrefix("model name") })?.split(separator: ":", maxSplits: 1).last {
            environment["cpu"] = .string(cpu.trimmingCharacters(in: .whitespaces))
        }
        environment["lineage"] = .string(Lineage.version)
        if let tool = command.first, (tool as NSString).lastPathComponent.hasPrefix("python") {
            if let version = ChildProcess.output([tool, "-c", "import platform, sys; print(platform.python_version(), sys.executable)"]) {
                let parts = version.split(separator: " ", maxSplits: 1)
                environment["python"] = .string(String(parts.first ?? ""))
                if parts.count > 1 { environment["pythonExecutable"] = .string(String(parts[1])) }
            }
            if let freeze = ChildProcess.output([tool, "-m", "pip", "freeze", "--all"]) {
                environment["pipFreezeDigest"] = .string(Digest(hashing: Array(freeze.utf8)).description)
                environment["pipPackages"] = .number(Double(freeze.split(separator: "\n").count))
            }
        }
        return environment
    }
}

/// Starting commands with posix_spawn: stdio inherited (so output streams through) or captured.
enum ChildProcess {
    /// Runs `arguments` with inherited stdio and `environment`; returns its exit status
    /// (128 + signal when killed), or nil when the command cannot be started.
    static func run(_ arguments: [String], environment: [String: String]) -> (status: Int32?, error: String?) {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child gets default signal handling even though lineage ignores SIGINT while it waits
        // (and SIGXFSZ always, see LineageMain).
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGXFSZ)
        sigaddset(&defaults, SIGTERM)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        let previous = signal(SIGINT, SIG_IGN)
        defer { signal(SIGINT, previous) }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, arguments[0], nil, &attributes, argv, envp)
        guard spawned == 0 else { return (nil, String(cString: strerror(spawned))) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exited = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return (exited, nil)
    }

    /// Runs a helper command quietly and returns its standard output, or nil if it fails.
    static func output(_ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
