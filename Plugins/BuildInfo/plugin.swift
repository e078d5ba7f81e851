import Foundation
import PackagePlugin

/// Before every build, writes the git commit the sources are at (and "-dirty" when tracked files
/// differ from it) into a Swift file of the target, for `lineage --version`. A source tree that is
/// not a git checkout (a tarball) says "unknown", or `LINEAGE_COMMIT` when the builder sets it.
@main
struct BuildInfo: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "generated")
        let script = context.package.directoryURL.appending(path: "Plugins/BuildInfo/commit.sh")
        return [.prebuildCommand(
            displayName: "Recording the git commit of the sources",
            executable: URL(fileURLWithPath: "/bin/sh"),
            arguments: [script.path, context.package.directoryURL.path, output.appending(path: "Commit.swift").path],
            outputFilesDirectory: output
        )]
    }
}
