import EdgeRuntime
import Hummingbird
import NIOCore

/// Edge's request context: Hummingbird's basics plus the peer's address, which the stream
/// limits count per client.
package struct EdgeRequestContext: RequestContext, RemoteAddressRequestContext {
  package var coreContext: CoreRequestContextStorage
  package let remoteAddress: SocketAddress?

  package init(source: ApplicationRequestContextSource) {
    coreContext = .init(source: source)
    remoteAddress = source.channel.remoteAddress
  }
}
