import ArgumentParser
import Foundation
import LineageCore
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage payload`: the raw payloads kept outside the log.
    struct Payload: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "payload",
            _superCommandName: "lineage",
            abstract: "Hand out a raw payload with what is needed to check it against its record's commitment.",
            subcommands: [Export.self]
        )

        /// `lineage payload export`.
        struct Export: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "export",
                _superCommandName: "lineage payload",
                abstract: "Write a record's payload, its salt and its commitment as a payload file for an auditor.",
                discussion: """
                    The file (JSON, format lineage-payload/1) holds the payload (base64), the salt and the commitment \
                    the record holds in the field. Anyone can check it with `lineage verify-proof BUNDLE --key KEY \
                    --payload FILE`: SHA-256(salt || payload) must be the commitment in the signed record. The file \
                    holds the raw payload, which may be personal data: hand it only to whoever may see it.
                    """
            )

            @Argument(help: ArgumentHelp("The record: a prediction id, record id, short id or name.", valueName: "ref"))
            var reference: String

            @Option(help: ArgumentHelp("The field whose payload to export: input or outputPayload.", valueName: "field"))
            var field = "input"

            @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("Write the file here (default: standard output).", valueName: "file"))
            var outputFile: String?

            @OptionGroup var access: AccessOptions
            @OptionGroup var storeOptions: StoreOptions

            func run() throws {
                let store = try storeOptions.open()
                let entry = try store.resolve(reference)
                let evidence = try store.exportPayload(of: entry, field: field)
                try access.log(store, "payload", records: [entry.id], query: "field=\(field)")
                let text = evidence.json.prettyString() + "\n"
                guard let outputFile else { print(text, terminator: ""); return }
                guard FileManager.default.createFile(atPath: outputFile, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
                    throw LineageError.storage("cannot write \(outputFile); check the directory exists and is writable")
                }
            }
        }
    }
}
