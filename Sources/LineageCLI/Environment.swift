import Foundation

/// The process's environment, read with plain libc calls: `ProcessInfo.processInfo.environment`
/// copies the whole environment into a new dictionary on every call, and the first use of
/// `FileManager.default` costs every command ~0.05 ms.
enum Environment {
    /// The variable's value, or nil when it is not set.
    static func value(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// The working directory.
    static var workingDirectory: String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return FileManager.default.currentDirectoryPath }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
