import Hummingbird
import NIOCore

/// The request context of `lineage serve`: Hummingbird's, plus the client's address for the access log.
struct ServerContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client as the access log names it: `ip:port`.
    var client: String? {
        remoteAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" }
    }
}
