import ArgumentParser
import Foundation
import LineageCore
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage push`.
    struct Push: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "push",
            _superCommandName: "lineage",
            abstract: "Send the store's log and its published keys to a remote.",
            discussion: """
                The remote must hold no log of this origin yet, or one this log extends: a remote ahead is refused \
                (pull first), a forked one is refused naming both checkpoints (exit 1). Payloads are not pushed. \
                See docs/sync.md.
                """
        )

        @Argument(help: ArgumentHelp("The remote's name (default: origin).", valueName: "remote"))
        var remote = "origin"

        @OptionGroup var output: OutputOptions
        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            let report = try storeOptions.open().push(to: remote)
            if output.json { print(report.json.prettyString()); return }
            guard report.pushed else {
                return print("Everything up to date: \(report.remote.name) holds the log \(report.origin) at \(report.size) records.")
            }
            let before = report.remoteSizeBefore.map { "it had \($0)" } ?? "it had none"
            print("Pushed the log \(report.origin) to \(report.remote.name) (\(report.remote.url)): \(report.size) records (\(before)).")
        }
    }

    /// `lineage pull`.
    struct Pull: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pull",
            _superCommandName: "lineage",
            abstract: "Bring the log from a remote, if it is an append-only extension of the one here.",
            discussion: """
                Every new batch is checked as `lineage verify` checks it, against the keys this store trusts and the \
                last checkpoint it verified. A rollback or a fork is refused naming both checkpoints (exit 1), and \
                nothing changes. New keys the log's owner publishes are trusted only when signed by a key trusted \
                here. Payloads are not pulled over git; with --payloads URL, the packs of payloads this store lacks are \
                copied from the owner's `lineage serve` (a replica or admin token in LINEAGE_TOKEN), each checked against the \
                log. Erasures that arrive erase local copies. See docs/sync.md.
                """
        )

        @Argument(help: ArgumentHelp("The remote's name (default: origin).", valueName: "remote"))
        var remote = "origin"

        @Option(help: ArgumentHelp("Also copy the payloads this store lacks from the owner's server at this http(s) URL (a token of its replica role in LINEAGE_TOKEN).", valueName: "url"))
        var payloads: String?

        func validate() throws {
            if let payloads, !ServerProgram.isHTTPURL(payloads) { throw ValidationError("--payloads must be the http:// or https:// URL of the owner's lineage serve") }
        }

        @OptionGroup var output: OutputOptions
        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            let store = try storeOptions.open()
            let counter = Terminal.counter("Verifying", unit: "records")
            let report = try store.pull(from: remote, progress: counter?.update)
            counter?.finish()
            // The payloads: lineage-server copies them and says what it did (or one sentence why not).
            func copyPayloads(json: Bool) throws -> JSONValue? {
                guard let payloads else { return nil }
                let (status, printed) = try ServerProgram.run(["--fetch-payloads", "--store", store.path, "--url", payloads] + (json ? ["--json"] : []),
                                                              input: Data(), capturing: json)
                if status != 0 { throw ExitCode(status) }
                return json ? try? JSONParser.parse(Array(printed)) : nil
            }
            if output.json {
                var json = report.json
                if var object = json.objectValue, let copied = try copyPayloads(json: true) {
                    object["payloads"] = copied
                    json = .object(object)
                }
                print(json.prettyString())
                return
            }
            for key in report.newKeys { print("Now trusting \(key.fingerprint) (\(key.text)), published by the log's owner.") }
            if report.cosigned > 0 { print("Took \(report.cosigned) cosigned checkpoint\(report.cosigned == 1 ? "" : "s"), checked against the log.") }
            if report.batches > 0 {
                print("Pulled \(report.batches) batch\(report.batches == 1 ? "" : "es") of the log \(report.origin) from \(report.remote.name): records \(report.sizeBefore)..\(report.size - 1), every one verified; \(report.size) records now.")
            } else {
                print("Already up to date: the log \(report.origin) holds \(report.size) records, as at \(report.remote.name).")
            }
            _ = try copyPayloads(json: false)
        }
    }
}
