import Foundation
import LineageServer
import LineageStore

// `lineage-server`: the process `lineage serve` becomes (by exec, with its options checked and the store
// found), kept out of the `lineage` binary so that linking Hummingbird and SwiftNIO does not slow every
// other command's start-up (+1 to 1.5 ms each, measured). Arguments: --store PATH --host H --port N
// --max-body N --batch-seconds S [--tls-cert FILE --tls-key FILE] [--oidc-issuer URL --oidc-audience AUD
// --oidc-jwks FILE [--oidc-role-claim NAME]] [--retention-every S], as `lineage serve` passes them.
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
    default:
        FileHandle.standardError.write(Data("lineage-server: unknown option \(flag); start it with `lineage serve`\n".utf8))
        exit(2)
    }
}
guard let store, (0...65535).contains(options.port), options.maxBody > 0, options.batchSeconds > 0, options.retentionSeconds >= 0,
      (options.tlsCertificate == nil) == (options.tlsKey == nil),
      Set([options.oidcIssuer == nil, options.oidcAudience == nil, options.oidcJWKS == nil]).count == 1 else {
    FileHandle.standardError.write(Data("lineage-server: start it with `lineage serve` (see lineage serve --help)\n".utf8))
    exit(2)
}
do {
    try await LineageServer(storePath: store, options: options).run { address in
        // Written straight to the descriptor: a test or a supervisor reads the port from it at once.
        let line = Array("lineage serve: listening on \(address)\n".utf8)
        _ = line.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
    }
} catch let error as LineageError {
    FileHandle.standardError.write(Data("lineage: error: \(error.message)\n".utf8))
    exit(error.kind.rawValue)
} catch {
    FileHandle.standardError.write(Data("lineage: error: \(error)\n".utf8))
    exit(4)
}
