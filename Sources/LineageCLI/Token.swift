import ArgumentParser
import Foundation
import LineageCore
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage token`: API tokens for `lineage serve`.
    struct Token: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "token",
            abstract: "Make, list and revoke the API tokens of lineage serve.",
            discussion: "A token has a name and a role: ingest, writer, reader, auditor, replica or admin (docs/server.md). The store keeps only the SHA-256 of its secret.",
            subcommands: [Create.self, List.self, Revoke.self]
        )

        struct Create: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Make a token and print its secret, once.")

            @Option(help: ArgumentHelp("The token's name (who or what uses it).", valueName: "name"))
            var name: String

            @Option(help: ArgumentHelp("ingest, writer, reader, auditor, replica or admin.", valueName: "role"))
            var role: String

            @Option(help: ArgumentHelp("How long it lives: 90d, 12h, 30m, 2w (default: until revoked).", valueName: "duration"))
            var expires: String?

            @OptionGroup var output: OutputOptions
            @OptionGroup var storeOptions: StoreOptions

            func validate() throws {
                guard Role(rawValue: role) != nil else {
                    throw ValidationError("unknown role '\(role)': use one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                if let expires, RecordTime.duration(expires).map({ $0 > 0 }) != true {
                    throw ValidationError("--expires '\(expires)' is not a duration like 90d, 12h, 30m or 2w")
                }
            }

            func run() throws {
                let store = try storeOptions.open()
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                let lifetime = expires.flatMap(RecordTime.duration)
                let (token, secret) = try TokenFile(storePath: store.path).create(name: name, role: role, expires: lifetime.map { now + $0 }, now: now)
                if output.json {
                    print(JSONValue.object(JSONObject([("name", .string(token.name)), ("role", .string(token.role)), ("secret", .string(secret)),
                                                       ("expires", token.expires.map { .string(RecordTime.format(milliseconds: $0)) } ?? .null)])).prettyString())
                } else {
                    print(secret)
                    Terminal.standardError("lineage: token \(token.name) (\(token.role)) made; its secret is printed once, above: keep it now, it cannot be shown again\n")
                }
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the tokens (never their secrets).")

            @OptionGroup var output: OutputOptions
            @OptionGroup var storeOptions: StoreOptions

            func run() throws {
                let store = try storeOptions.open()
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                for token in try TokenFile(storePath: store.path).tokens() {
                    let state = token.revoked ? "revoked" : token.expires.map { $0 <= now ? "expired" : "live" } ?? "live"
                    let expires = token.expires.map { RecordTime.format(milliseconds: $0) }
                    if output.json {
                        print(JSONValue.object(JSONObject([("name", .string(token.name)), ("role", .string(token.role)), ("state", .string(state)),
                                                           ("created", .string(RecordTime.format(milliseconds: token.created))),
                                                           ("expires", expires.map(JSONValue.string) ?? .null)])).canonicalString)
                    } else {
                        print("\(token.name)  \(token.role)  \(state)" + (expires.map { "  expires \($0)" } ?? ""))
                    }
                }
            }
        }

        struct Revoke: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke a token: the server refuses it from the next request.")

            @Argument(help: ArgumentHelp("The token's name.", valueName: "name"))
            var name: String

            @OptionGroup var storeOptions: StoreOptions

            func run() throws {
                let store = try storeOptions.open()
                try TokenFile(storePath: store.path).revoke(name: name)
                print("Revoked token \(name)")
            }
        }
    }
}
