import Foundation
import PackagePlugin

/// Embeds docs/openapi.yaml, the one description of lineage serve's API, in the server as a Swift
/// string (`OpenAPIDocument.yaml`), so the document served at /openapi.yaml and the one in docs/ cannot
/// differ, and the binary needs no resource files beside it. Reruns when the document changes.
@main
struct EmbedOpenAPI: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        let document = root.appending(path: "docs/openapi.yaml")
        let output = context.pluginWorkDirectoryURL.appending(path: "OpenAPIDocument.swift")
        return [.buildCommand(
            displayName: "Embedding docs/openapi.yaml",
            executable: URL(fileURLWithPath: "/bin/sh"),
            arguments: [root.appending(path: "Plugins/EmbedOpenAPI/embed.sh").path, document.path, output.path],
            inputFiles: [document],
            outputFiles: [output]
        )]
    }
}
