import ArgumentParser
import LineageCore
import LineageEngine
import LineageStore

/// For commands given `--json`: a failure is a JSON result on stdout too, so that a script reading
/// stdout sees the verdict, the reason and the exit code (the sentence still goes to stderr).
enum JSONFailure {
    /// Runs `body`; when it fails and `json` is set, prints `{"ok": false, "status", "reason", "exitCode"}`.
    static func reporting<T>(json: Bool, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            // An ExitCode only passes on a status whose result was printed already (gate's report).
            if json, !(error is ExitCode) {
                let (code, message) = LineageMain.describe(error)
                if code != 0 {
                    print(JSONValue.object(JSONObject([
                        ("ok", .bool(false)), ("status", .string(code == LineageError.Kind.verdict.rawValue ? "failed" : "error")),
                        ("reason", .string(message)), ("exitCode", .number(Double(code))),
                    ])).prettyString())
                }
            }
            throw error
        }
    }
}
