import EdgeRuntime
import Foundation
import HTTPTypes
import Hummingbird

/// `GET /v1/decision-sets/{id}/stream` (bearer token, any member) and `GET /streams/{id}?ticket=`
/// (a ticket from `POST /v1/decision-sets/{id}/stream-tickets`, for EventSource, which cannot
/// send headers): the decision set's events as Server-Sent Events, resuming after
/// `Last-Event-ID` (or `?after=` for clients that cannot set headers).
package struct StreamsController<Context: IdentifiedRequestContext>: Sendable {
  let streamer: EventStreamer
  let access: ProjectAccess
  let store: DecisionSetStore
  let signer: DownloadSigner
  let limiter: StreamLimiter
  let leases: StreamLeases
  /// Streams one caller may hold open across every replica.
  let perCaller: Int
  /// A lease outlives the longest stream by a margin, for a replica that dies holding it.
  let leaseSeconds: Int

  static var ticketSeconds: Int { 120 }

  package init(
    streamer: EventStreamer, access: ProjectAccess, store: DecisionSetStore, signer: DownloadSigner,
    limiter: StreamLimiter, leases: StreamLeases, perCaller: Int, maxStreamSeconds: Int
  ) {
    self.streamer = streamer
    self.access = access
    self.store = store
    self.signer = signer
    self.limiter = limiter
    self.leases = leases
    self.perCaller = perCaller
    self.leaseSeconds = maxStreamSeconds + 60
  }

  package func addRoutes(to router: Router<Context>, v1: RouterGroup<Context>) {
    router.get("streams/:id", use: ticketedStream)
    v1.get("decision-sets/:id/stream", use: authenticatedStream)
    v1.post("decision-sets/:id/stream-tickets", use: ticket)
  }

  @Sendable func ticket(_ request: Request, context: Context) async throws -> Response {
    let id = try DecisionSetRoute.id(context)
    let caller = try context.authenticated()
    try await access.decisionSet(id, caller, needs: .viewer)
    let expires = Date().addingTimeInterval(Double(Self.ticketSeconds))
    let token = StreamTicket(decisionSetID: id, subject: caller.subject, expires: expires).token(signedWith: signer)
    return try JSONResponse.make(
      object: [
        "ticket": token, "expires_at": JSONResponse.timestamp(expires),
        "stream_url": "/streams/\(id.lowercaseString)?ticket=\(token)",
      ], status: .created)
  }

  @Sendable func authenticatedStream(_ request: Request, context: Context) async throws -> Response {
    let id = try DecisionSetRoute.id(context)
    let caller = try context.authenticated()
    try await access.decisionSet(id, caller, needs: .viewer)
    return try await stream(request, context: context, id: id, caller: caller.subject)
  }

  /// The ticket was issued to a member for this decision set only, a short while ago.
  @Sendable func ticketedStream(_ request: Request, context: Context) async throws -> Response {
    let id = try DecisionSetRoute.id(context)
    guard let ticket = request.uri.queryParameters.get("ticket") else {
      throw Problem.unauthenticated(
        "open this stream with ?ticket= from POST /v1/decision-sets/{id}/stream-tickets, or use /v1/decision-sets/{id}/stream with a bearer token"
      )
    }
    let verified: StreamTicket
    do {
      verified = try StreamTicket.verify(ticket, for: id, signedWith: signer)
    } catch {
      throw Problem.unauthenticated(error.description)
    }
    guard try await store.status(of: id) != nil else { throw DecisionSetRoute.notFound(id) }
    return try await stream(request, context: context, id: id, caller: verified.subject)
  }

  /// The stream itself, for a caller already allowed to read the decision set: within the
  /// process's limits and the caller's leases (the console's page streams go through here too).
  func stream(_ request: Request, context: Context, id: UUID, caller: String) async throws -> Response {
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
      guard let lease = try await leases.acquire(caller: caller, limit: perCaller, lasting: leaseSeconds) else {
        throw Problem(
          status: .tooManyRequests, code: "too_many_streams",
          title: "Too many streams",
          detail: "you have \(perCaller) event streams open (across every server); close one or retry later",
          retryAfterSeconds: 5,
          headers: RateLimitHeaders.fields(policy: "streams", quota: perCaller, window: leaseSeconds, remaining: 0, reset: 5))
      }
      let leases = leases
      return streamer.response(for: request, id: id, after: after, holding: permit) {
        try? await leases.release(lease)
      }
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
