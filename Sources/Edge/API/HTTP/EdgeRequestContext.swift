import Hummingbird
import NIOCore

/// Edge's request context: Hummingbird's basics plus the peer's address, which the stream
/// limits count per client.
public struct EdgeRequestContext: RequestContext, RemoteAddressRequestContext {
  public var coreContext: CoreRequestContextStorage
  public let remoteAddress: SocketAddress?

  public init(source: ApplicationRequestContextSource) {
    coreContext = .init(source: source)
    remoteAddress = source.channel.remoteAddress
  }
}
