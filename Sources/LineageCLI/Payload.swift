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
            abstract: "Hand out a raw payload with what is needed to check it against its record's commitment, or compact the payload store.",
            subcommands: [Export.self, Compact.self]
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

        /// `lineage payload compact`.
        struct Compact: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "compact",
                _superCommandName: "lineage payload",
                abstract: "Drop the sealed bytes of erased payloads from the payload store (for cron, after erasures).",
                discussion: """
                    Erasure destroys a payload's salt and key at once; its sealed bytes, unreadable from then on, stay \
                    in its batch's pack until this rewrites the pack without them. Records, proofs and what `verify` \
                    reports do not change.
                    """
            )

            @OptionGroup var output: OutputOptions
            @OptionGroup var storeOptions: StoreOptions

            func run() throws {
                let (packs, bytes) = try storeOptions.open().compactPayloads()
                if output.json {
                    print(JSONValue.object(JSONObject([("packs", .number(Double(packs))), ("bytes", .number(Double(bytes)))])).canonicalString)
                } else {
                    print(packs == 0 ? "Nothing to compact." : "Compacted \(packs) payload pack\(packs == 1 ? "" : "s"), \(ByteCount.format(Int64(bytes))) freed.")
                }
            }
        }
    }
}
