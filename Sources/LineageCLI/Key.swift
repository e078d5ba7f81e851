import ArgumentParser
import Foundation
import LineageCore
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage key`: the store's signing key and the keys it trusts.
    struct Key: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "key",
            abstract: "Manage the store's Ed25519 signing key and trusted keys.",
            discussion: """
                `lineage init` creates a signing key. The private key lives in .lineage/keys/signing.key \
                (mode 0600) and never enters git; the public keys go to .lineage/keys/trusted and to \
                .lineage/allowed_signers, which `git verify-commit` reads.
                """,
            subcommands: [KeyShow.self, KeyGenerate.self, KeyTrust.self],
            defaultSubcommand: KeyShow.self
        )
    }

    struct KeyShow: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            _superCommandName: "lineage key",
            abstract: "Print the store's public key, for auditors: pass it to `lineage verify-proof --key`."
        )

        @Flag(help: "Print the OpenSSH public key line instead.")
        var ssh = false

        @Flag(help: "Print the key's fingerprint instead (SHA256:…, as `ssh-keygen -l` shows it; what `lineage clone --key-fingerprint` pins).")
        var fingerprint = false

        @OptionGroup var output: OutputOptions
        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            let store = try storeOptions.open()
            let view = try store.keyView()
            print(output.json ? view.json.prettyString() : ssh ? view.verifier.sshPublicKey : fingerprint ? view.verifier.fingerprint : view.verifier.text)
        }
    }

    struct KeyGenerate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "generate",
            _superCommandName: "lineage key",
            abstract: "Create the store's signing key; with --replace, rotate it (the old key stays trusted)."
        )

        @Flag(help: "Replace an existing key.")
        var replace = false

        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            let store = try storeOptions.open()
            let verifier = try store.generateSigningKey(replace: replace)
            print(verifier.text)
        }
    }

    struct KeyTrust: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "trust",
            _superCommandName: "lineage key",
            abstract: "Trust another verifier key (NAME+KEYID+BASE64, or a file holding one)."
        )

        @Argument(help: ArgumentHelp("The verifier key, or a file holding it.", valueName: "key"))
        var key: String

        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            let store = try storeOptions.open()
            try store.trust(try VerifierKeyArgument.parse(key))
        }
    }
}

/// Reading a verifier key given on the command line, directly or in a file.
enum VerifierKeyArgument {
    /// A log's key, or with `cosigner` a witness's; the other kind is refused, saying which it is.
    static func parse(_ argument: String, cosigner: Bool = false) throws -> VerifierKey {
        var text = argument
        if !argument.contains("+") || FileManager.default.fileExists(atPath: argument) {
            text = String(decoding: try FieldInput.readFile(argument, what: "key file"), as: UTF8.self)
        }
        let key = try LineageError.catching { try VerifierKey(parsing: text) }
        guard key.isCosigner == cosigner else {
            throw LineageError.input(cosigner ? "\(key.name)'s key is a log's key, not a witness key (as `lineage witness init` prints it)"
                                              : "\(key.name)'s key is a witness key; give the log's key, as `lineage key show` prints it")
        }
        return key
    }
}

/// `--key`, for commands that check signatures without a store (verify-proof, checkpoint compare).
struct TrustedKeyOptions: ParsableArguments {
    @Option(name: .customLong("key"), help: ArgumentHelp("A trusted verifier key (NAME+KEYID+BASE64, or a file holding one); repeatable.", valueName: "pubkey"))
    var keys: [String] = []

    func validate() throws {
        if keys.isEmpty { throw ValidationError("give the log's public key with --key (as `lineage key show` prints it)") }
    }

    /// The keys, parsed.
    func parsed() throws -> [VerifierKey] { try keys.map { try VerifierKeyArgument.parse($0) } }
}
