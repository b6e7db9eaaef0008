import EdgeRuntime
import Foundation
import HTTPTypes
import Hummingbird

/// `GET /streams/{id}` and `GET /v1/decision-sets/{id}/stream`: the decision set's events as
/// Server-Sent Events, resuming after `Last-Event-ID` (or `?after=` for clients that cannot
/// set headers).
package struct StreamsController<Context: RequestContext>: Sendable {
  let streamer: EventStreamer
  let store: DecisionSetStore
  let limiter: StreamLimiter

  package init(streamer: EventStreamer, store: DecisionSetStore, limiter: StreamLimiter) {
    self.streamer = streamer
    self.store = store
    self.limiter = limiter
  }

  package func addRoutes(to router: Router<Context>, v1: RouterGroup<Context>) {
    router.get("streams/:id", use: stream)
    v1.get("decision-sets/:id/stream", use: stream)
  }

  @Sendable func stream(_ request: Request, context: Context) async throws -> Response {
    let id = try DecisionSetRoute.id(context)
    guard try await store.status(of: id) != nil else { throw DecisionSetRoute.notFound(id) }
    let lastEventID = request.headers[.lastEventID] ?? request.uri.queryParameters["after"].map(String.init)
    var after: Int64 = 0
    if let lastEventID, !lastEventID.isEmpty {
      guard let value = Int64(lastEventID.trimmingCharacters(in: .whitespaces)), value >= 0 else {
        throw Problem.invalidHeader("Last-Event-ID", "Last-Event-ID must be an event id this stream sent")
      }
      after = value
    }
    let client = (context as? any RemoteAddressRequestContext)?.remoteAddress?.ipAddress ?? "unknown"
    switch limiter.acquire(client: client) {
    case .success(let permit):
      return streamer.response(for: request, id: id, after: after, holding: permit)
    case .failure(let refusal):
      let scope =
        refusal == .full
        ? "this server has \(limiter.maxStreams) streams open"
        : "this client has \(limiter.maxPerClient) streams open"
      throw Problem(
        status: .serviceUnavailable, code: "too_many_streams", title: "Too many streams",
        detail: "\(scope); close one or retry later", retryAfterSeconds: 5)
    }
  }
}

extension HTTPField.Name {
  static let lastEventID = HTTPField.Name("Last-Event-ID")!
}
