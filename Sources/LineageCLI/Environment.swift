import Foundation

/// One environment variable at a time: `ProcessInfo.processInfo.environment` copies the whole
/// environment into a new dictionary on every call.
enum Environment {
    /// The variable's value, or nil when it is not set.
    static func value(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
