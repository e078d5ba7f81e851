import Foundation
import PackagePlugin

/// Writes the git commit the sources are at (and "-dirty" when tracked files differ from it) into a
/// Swift file of the target, for `lineage --version`. It runs again whenever git's HEAD, index or
/// reflog or any source file changes, so a new commit or an edit is seen by the next build. A
/// source tree that is not a git checkout (a tarball) says "unknown", or `LINEAGE_COMMIT` when the
/// builder sets it.
@main
struct BuildInfo: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        let output = context.pluginWorkDirectoryURL.appending(path: "Commit.swift")
        let git = root.appending(path: ".git")
        var inputs = ["HEAD", "index", "logs/HEAD", "packed-refs"].map { git.appending(path: $0) }
            .filter { FileManager.default.fileExists(atPath: $0.path) }
        for folder in ["Sources", "Plugins"] {
            let walker = FileManager.default.enumerator(at: root.appending(path: folder), includingPropertiesForKeys: [.isRegularFileKey])
            while let file = walker?.nextObject() as? URL {
                if (try? file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true { inputs.append(file) }
            }
        }
        return [.buildCommand(
            displayName: "Recording the git commit of the sources",
            executable: URL(fileURLWithPath: "/bin/sh"),
            arguments: [root.appending(path: "Plugins/BuildInfo/commit.sh").path, root.path, output.path],
            inputFiles: inputs,
            outputFiles: [output]
        )]
    }
}
