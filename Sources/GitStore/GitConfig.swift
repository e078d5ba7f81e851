import Clibgit2
import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension Repository {
    /// git's `user.email` as `git config user.email` would print it in `directory`: from the config
    /// of the repository holding the directory, else the global (`~/.gitconfig`), XDG and system
    /// files. Nil when unset or empty. Stores never read these files (see `Libgit2`); only this
    /// question does, each time it is asked.
    public static func userEmail(near directory: String) -> String? {
        Libgit2.ensureInitialised()
        var files: [(path: String, level: git_config_level_t)] = [("/etc/gitconfig", GIT_CONFIG_LEVEL_SYSTEM)]
        let home = getenv("HOME").map { String(cString: $0) } ?? ""
        let xdg = getenv("XDG_CONFIG_HOME").map { String(cString: $0) } ?? (home.isEmpty ? "" : home + "/.config")
        if !xdg.isEmpty { files.append((xdg + "/git/config", GIT_CONFIG_LEVEL_XDG)) }
        if !home.isEmpty { files.append((home + "/.gitconfig", GIT_CONFIG_LEVEL_GLOBAL)) }
        var repository: OpaquePointer?
        if git_repository_open_ext(&repository, directory, 0, nil) == 0, let repository {
            if let path = git_repository_path(repository) { files.append((String(cString: path) + "config", GIT_CONFIG_LEVEL_LOCAL)) }
            git_repository_free(repository)
        }
        var config: OpaquePointer?
        guard git_config_new(&config) == 0, let config else { return nil }
        defer { git_config_free(config) }
        for file in files where FileManager.default.isReadableFile(atPath: file.path) {
            _ = git_config_add_file_ondisk(config, file.path, file.level, nil, 0)
        }
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        guard git_config_get_string_buf(&buffer, config, "user.email") == 0, let pointer = buffer.ptr else { return nil }
        let email = String(cString: pointer).trimmingCharacters(in: .whitespaces)
        return email.isEmpty ? nil : email
    }
}
