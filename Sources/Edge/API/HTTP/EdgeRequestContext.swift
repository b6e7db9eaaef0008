import EdgeRuntime
import Hummingbird
import NIOCore

/// What Edge's controllers need of a request context: who is calling (set by
/// `AuthenticationMiddleware` on `/v1`) and the request's id (set by `RequestIDMiddleware`).
package protocol IdentifiedRequestContext: RequestContext {
  var caller: Caller? { get set }
  var requestID: String { get set }
}

extension IdentifiedRequestContext {
  /// The verified caller; a route outside the authenticated group has none, a 401.
  func authenticated() throws(Problem) -> Caller {
    guard let caller else { throw Problem.unauthenticated("this route needs a bearer token") }
    return caller
  }
}

/// Edge's request context: Hummingbird's basics plus the peer's address, which the stream
/// limits count per client, the caller and the request id.
package struct EdgeRequestContext: IdentifiedRequestContext, RemoteAddressRequestContext {
  package var coreContext: CoreRequestContextStorage
  package let remoteAddress: SocketAddress?
  package var caller: Caller?
  package var requestID = ""

  package init(source: ApplicationRequestContextSource) {
    coreContext = .init(source: source)
    remoteAddress = source.channel.remoteAddress
  }
}
