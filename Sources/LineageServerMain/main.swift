import Foundation
import LineageServer
import LineageCore
import LineageEngine
import LineageStore

// `lineage-server`: the process `lineage serve` becomes (by exec, with its options checked and the store
// found), kept out of the `lineage` binary so that linking Hummingbird and SwiftNIO does not slow every
// other command's start-up (+1 to 1.5 ms each, measured). Arguments: --store PATH --host H --port N
// --max-body N --batch-seconds S [--tls-cert FILE --tls-key FILE] [--oidc-issuer URL --oidc-audience AUD
// --oidc-jwks FILE [--oidc-role-claim NAME]] [--retention-every S] [--cosign-every S] [--monitor-interval S [--webhook URL --webhook-format json|slack]], as `lineage serve` passes them.
/// Ends the process with an error's sentence and exit code.
func fail(_ error: any Error) -> Never {
    if let error = error as? LineageError {
        FileHandle.standardError.write(Data("lineage: error: \(error.message)\n".utf8))
        exit(error.kind.rawValue)
    }
    FileHandle.standardError.write(Data("lineage: error: \(error)\n".utf8))
    exit(4)
}

/// Writes a line straight to the descriptor: a test or a supervisor reads the port from it at once.
func announce(_ text: String) {
    let line = Array((text + "\n").utf8)
    _ = line.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
}

// `lineage witness serve DIR`: --witness DIR --host H --port N --log KEY…
// `lineage cosign`: --cosign --store PATH [--json]
// `lineage monitor --webhook URL`: --post-alerts URL [--slack], the events on standard input
// `lineage pull --payloads URL`: --fetch-payloads --store PATH --url URL [--json], the token in LINEAGE_TOKEN
switch CommandLine.arguments.dropFirst().first {
case "--witness":
    var arguments = CommandLine.arguments.dropFirst(2)
    let directory = arguments.popFirst() ?? ""
    var host = "127.0.0.1", port = -1, logs: [VerifierKey] = []
    while let flag = arguments.popFirst(), let value = arguments.popFirst() {
        switch flag {
        case "--host": host = value
        case "--port": port = Int(value) ?? -1
        case "--log": if let key = try? VerifierKey(parsing: value) { logs.append(key) } else { port = -1 }
        default: port = -1
        }
    }
    guard (0...65535).contains(port), !logs.isEmpty else {
        FileHandle.standardError.write(Data("lineage-server: start it with `lineage witness serve` (see lineage witness serve --help)\n".utf8))
        exit(2)
    }
    do {
        let witness = try Witness(directory: directory, logs: logs)
        try await WitnessServer(witness: witness, host: host, port: port).run { address in
            announce("lineage witness \(witness.verifier.name): listening on \(address)")
        }
    } catch { fail(error) }
    exit(0)
case "--cosign":
    let arguments = Array(CommandLine.arguments.dropFirst(2))
    guard arguments.count >= 2, arguments[0] == "--store" else { fail(LineageError.input("start it with `lineage cosign`")) }
    do {
        let report = try await WitnessClient.cosign(storePath: arguments[1])
        print(arguments.contains("--json") ? report.json.prettyString() : report.text)
        exit(report.exitCode)
    } catch { fail(error) }
case "--fetch-payloads":
    // `lineage pull --payloads URL`: --fetch-payloads --store PATH --url URL [--json], the token in LINEAGE_TOKEN.
    let arguments = Array(CommandLine.arguments.dropFirst(2))
    guard arguments.count >= 4, arguments[0] == "--store", arguments[2] == "--url" else { fail(LineageError.input("start it with `lineage pull --payloads URL`")) }
    do {
        let report = try await PayloadCopier.copy(storePath: arguments[1], from: arguments[3], token: ProcessInfo.processInfo.environment["LINEAGE_TOKEN"])
        print(arguments.contains("--json") ? report.json.prettyString() : report.text)
        exit(0)
    } catch { fail(error) }
case "--post-alerts":
    // `lineage monitor --webhook URL [--slack]`: the events, one JSON object a line, on standard input.
    let arguments = Array(CommandLine.arguments.dropFirst(2))
    guard let url = arguments.first else { fail(LineageError.input("start it with `lineage monitor --webhook URL`")) }
    let input = FileHandle.standardInput.readDataToEndOfFile()
    let events = input.split(separator: UInt8(ascii: "\n")).compactMap { try? JSONParser.parse(Array($0)) }
    let failures = await AlertWebhook.post(events, to: url, slack: arguments.contains("--slack"))
    if !failures.isEmpty {
        fail(LineageError.storage("\(failures.count) of \(events.count) alert events were not delivered: \(failures.joined(separator: "; ")) (the alerts are recorded in the log all the same)"))
    }
    exit(0)
default:
    break
}

var options = LineageServer.Options()
var store: String?
var arguments = CommandLine.arguments.dropFirst()
while let flag = arguments.popFirst() {
    let value = arguments.popFirst() ?? ""
    switch flag {
    case "--store": store = value
    case "--host": options.host = value
    case "--port": options.port = Int(value) ?? -1
    case "--max-body": options.maxBody = Int(value) ?? -1
    case "--batch-seconds": options.batchSeconds = Double(value) ?? -1
    case "--tls-cert": options.tlsCertificate = value
    case "--tls-key": options.tlsKey = value
    case "--oidc-issuer": options.oidcIssuer = value
    case "--oidc-audience": options.oidcAudience = value
    case "--oidc-jwks": options.oidcJWKS = value
    case "--oidc-role-claim": options.oidcRoleClaim = value
    case "--retention-every": options.retentionSeconds = Double(value) ?? -1
    case "--cosign-every": options.cosignSeconds = Double(value) ?? -1
    case "--monitor-interval": options.monitorSeconds = Double(value) ?? -1
    case "--webhook": options.webhook = value
    case "--webhook-format": options.webhookSlack = value == "slack"
    default:
        FileHandle.standardError.write(Data("lineage-server: unknown option \(flag); start it with `lineage serve`\n".utf8))
        exit(2)
    }
}
guard let store, (0...65535).contains(options.port), options.maxBody > 0, options.batchSeconds > 0, options.retentionSeconds >= 0, options.cosignSeconds >= 0, options.monitorSeconds >= 0,
      (options.tlsCertificate == nil) == (options.tlsKey == nil),
      Set([options.oidcIssuer == nil, options.oidcAudience == nil, options.oidcJWKS == nil]).count == 1 else {
    FileHandle.standardError.write(Data("lineage-server: start it with `lineage serve` (see lineage serve --help)\n".utf8))
    exit(2)
}
do {
    try await LineageServer(storePath: store, options: options).run { address in announce("lineage serve: listening on \(address)") }
} catch { fail(error) }
