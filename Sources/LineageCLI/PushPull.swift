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
                log. Erasures that arrive erase local copies. The logs of other origins the remote holds (other \
                stores writing their own logs) are pulled the same way into copies under .lineage/origins/, their keys \
                taken on first use: records here may then link to theirs, and trace, impact and verify follow those \
                links. See docs/sync.md.
                """
        )

        @Argument(help: ArgumentHelp("The remote's name (default: origin).", valueName: "remote"))
        var remote = "origin"

        @Option(name: .customLong("origin"), help: ArgumentHelp("Pull only this other origin's log (besides this store's own); repeatable.", valueName: "origin"))
        var origins: [String] = []

        @Option(help: ArgumentHelp("With one --origin not held yet: the fingerprint (SHA256:…) of the key that must vouch for that log's keys.", valueName: "fingerprint"))
        var keyFingerprint: String?

        @Option(help: ArgumentHelp("Also copy the payloads this store lacks from the owner's server at this http(s) URL (a token of its replica role in LINEAGE_TOKEN).", valueName: "url"))
        var payloads: String?

        func validate() throws {
            if keyFingerprint != nil, origins.count != 1 {
                throw ValidationError("--key-fingerprint pins the keys of one other origin's log on its first pull: name that origin once with --origin")
            }
            if let keyFingerprint, !keyFingerprint.hasPrefix("SHA256:") {
                throw ValidationError("--key-fingerprint takes a fingerprint as `lineage key show --fingerprint` prints it (SHA256:…)")
            }
            if let payloads, !ServerProgram.isHTTPURL(payloads) { throw ValidationError("--payloads must be the http:// or https:// URL of the owner's lineage serve") }
        }

        @OptionGroup var output: OutputOptions
        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            let store = try storeOptions.open()
            let counter = Terminal.counter("Verifying", unit: "records")
            for origin in origins { try Store.validate(origin: origin) }
            let report = try store.pull(from: remote, keyFingerprint: keyFingerprint, origins: origins.isEmpty ? nil : origins, progress: counter?.update)
            counter?.finish()
            for pulled in report.others { Clone.warnFirstUse(pulled, pin: "lineage pull \(remote) --origin \(pulled.origin) --key-fingerprint") }
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
            for pulled in [report] + report.others {
                for key in pulled.newKeys where pulled.firstKey == nil {
                    print("Now trusting \(key.fingerprint) (\(key.text)) for \(pulled.origin), published by the log's owner.")
                }
                if pulled.cosigned > 0 { print("Took \(pulled.cosigned) cosigned checkpoint\(pulled.cosigned == 1 ? "" : "s") of \(pulled.origin), checked against the log.") }
                if !pulled.atRemote {
                    print("\(pulled.remote.name) holds no log of \(pulled.origin) (this store's own): nothing of it to pull; `lineage push \(pulled.remote.name)` sends it.")
                } else if pulled.batches > 0 {
                    print("Pulled \(pulled.batches) batch\(pulled.batches == 1 ? "" : "es") of the log \(pulled.origin) from \(pulled.remote.name): records \(pulled.sizeBefore)..\(pulled.size - 1), every one verified; \(pulled.size) records now.")
                } else {
                    print("Already up to date: the log \(pulled.origin) holds \(pulled.size) records, as at \(pulled.remote.name).")
                }
            }
            _ = try copyPayloads(json: false)
        }
    }
}
