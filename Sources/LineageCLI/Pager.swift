import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Long output through a pager, as git and gh do: on a terminal only (never when stdout is a pipe
/// or a file), with `$LINEAGE_PAGER`, else `$PAGER`, else `less`; `LESS=FRX` unless set (quit when
/// the text fits one screen, keep colours, leave the screen as it is), like git's default.
/// An empty pager or `cat` means none.
enum Pager {
    /// The pager's process once started. Set once on the main thread before any output; read by
    /// the exit handler on the same thread, so no lock is needed.
    nonisolated(unsafe) private static var child: pid_t = 0
    /// Set by `lineage --no-pager COMMAND` (git's form) before the command is parsed.
    nonisolated(unsafe) static var disabledByRoot = false

    /// Sends the rest of stdout through the pager, unless `disabled`, stdout is not a terminal, or
    /// no pager is set. Call it just before the first line of output.
    static func start(disabled: Bool) {
        guard !disabled, !disabledByRoot, child == 0, isatty(STDOUT_FILENO) == 1 else { return }
        let command = (Environment.value("LINEAGE_PAGER") ?? Environment.value("PAGER") ?? "less")
            .trimmingCharacters(in: .whitespaces)
        guard !command.isEmpty, command != "cat" else { return }
        _ = Terminal.useColour // decided while stdout is still the terminal
        setenv("LESS", "FRX", 0)
        setenv("LV", "-c", 0)
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], STDIN_FILENO)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        let words: [String] = ["/bin/sh", "-c", command]
        let arguments: [UnsafeMutablePointer<CChar>?] = words.map { word in word.withCString { strdup($0) } } + [nil]
        defer { arguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, nil, arguments, environ)
        close(fds[0])
        guard spawned == 0 else { close(fds[1]); return }
        fflush(nil) // every stdio stream: stdout among them
        dup2(fds[1], STDOUT_FILENO)
        close(fds[1])
        child = pid
        atexit { Pager.finish() }
    }

    /// At exit: ends the pager's input and waits for the user to quit it.
    private static func finish() {
        guard child != 0 else { return }
        fflush(nil) // every stdio stream: stdout among them
        close(STDOUT_FILENO)
        var status: Int32 = 0
        while waitpid(child, &status, 0) == -1 && errno == EINTR {}
        child = 0
    }
}

/// `--no-pager`, for the commands whose output can be long.
struct PagerOptions: ParsableArguments {
    @Flag(name: .customLong("no-pager"), help: "Do not send output through $PAGER (it is only used on a terminal).")
    var noPager = false

    /// Starts the pager unless `--no-pager` was given (see `Pager`).
    func start() { Pager.start(disabled: noPager) }
}
