import EdgeRuntime
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `Idempotency-Key` on the POSTs that create or move things (projects, decision sets,
/// revisions, answers, approvals): the same key with the same request gets the first
/// answer again, marked `Idempotent-Replayed: true`, and nothing is done twice; with another
/// request, 422 `idempotency_key_reused`; while the first copy still runs, 409
/// `idempotency_key_in_progress`. Only a 2xx answer is kept; a request that failed leaves
/// its key free. Keys are each caller's own and kept 24 hours.
package struct IdempotencyMiddleware<Context: IdentifiedRequestContext>: RouterMiddleware {
  static var header: HTTPField.Name { HTTPField.Name("Idempotency-Key")! }
  static var replayed: HTTPField.Name { HTTPField.Name("Idempotent-Replayed")! }
  /// The answer's fields a replay carries.
  static var keptFields: [HTTPField.Name] { [.contentType, .location, .eTag] }

  let store: IdempotencyStore
  let maxBodyBytes: Int
  let logger: Logger

  package init(store: IdempotencyStore, maxBodyBytes: Int, logger: Logger) {
    self.store = store
    self.maxBodyBytes = maxBodyBytes
    self.logger = logger
  }

  /// `/v1/projects`, `/v1/projects/{id}/decision-sets` and
  /// `/v1/decision-sets/{id}/{revisions,answers,approve}`.
  static func isIdempotent(path: String) -> Bool {
    let parts = path.split(separator: "/", omittingEmptySubsequences: true)
    guard parts.first == "v1" else { return false }
    switch parts.count {
    case 2: return parts[1] == "projects"
    case 4:
      return (parts[1] == "projects" && parts[3] == "decision-sets")
        || (parts[1] == "decision-sets" && ["revisions", "answers", "approve"].contains(parts[3]))
    default: return false
    }
  }

  static func validate(_ key: String) throws(Problem) -> String {
    guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
      throw Problem.invalidHeader(
        "Idempotency-Key", "Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID is a good one)")
    }
    return key
  }

  package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
    async throws -> Response
  {
    guard request.method == .post, let sent = request.headers[Self.header], Self.isIdempotent(path: request.uri.path)
    else { return try await next(request, context) }
    let key = try Self.validate(sent)
    let principal = try context.authenticated().principal
    var request = request
    let body = try await request.boundedBody(limit: maxBodyBytes)
    let fingerprint = IdempotencyStore.fingerprint(
      method: request.method.rawValue, path: request.uri.description, body: Data(buffer: body))
    switch try await store.claim(principal: principal, key: key, fingerprint: fingerprint) {
    case .replay(let stored):
      return Self.response(replaying: stored)
    case .conflict:
      throw Problem(
        status: .unprocessableContent, code: "idempotency_key_reused", title: "Idempotency key reused",
        detail: "this Idempotency-Key was sent before with another request; use a new key for a new request",
        field: "Idempotency-Key")
    case .inProgress:
      throw Problem(
        status: .conflict, code: "idempotency_key_in_progress", title: "Request in progress",
        detail: "a request with this Idempotency-Key is still running; retry after a moment",
        field: "Idempotency-Key", retryAfterSeconds: 1)
    case .claimed:
      break
    }

    let response: Response
    do {
      response = try await next(request, context)
    } catch {
      await release(principal: principal, key: key)
      throw error
    }
    guard (200..<300).contains(response.status.code) else {
      await release(principal: principal, key: key)
      return response
    }
    let collector = BodyCollector()
    var answer = response
    try await answer.body.write(collector)
    let stored = IdempotencyStore.StoredResponse(
      status: response.status.code,
      headers: Dictionary(
        uniqueKeysWithValues: Self.keptFields.compactMap { name in response.headers[name].map { (name.canonicalName, $0) } }),
      body: Data(buffer: collector.buffer))
    do {
      try await store.finish(principal: principal, key: key, response: stored)
    } catch {
      // The work is done; only a retry's replay is lost, and the claim expires in 10 minutes.
      logger.warning("could not keep an idempotent answer", metadata: ["error": "\(error)"])
    }
    answer.body = ResponseBody(byteBuffer: collector.buffer)
    return answer
  }

  private func release(principal: String, key: String) async {
    do {
      try await store.release(principal: principal, key: key)
    } catch {
      logger.warning("could not release an idempotency key", metadata: ["error": "\(error)"])
    }
  }

  static func response(replaying stored: IdempotencyStore.StoredResponse) -> Response {
    var headers = HTTPFields()
    for (name, value) in stored.headers.sorted(by: { $0.key < $1.key }) {
      if let field = HTTPField.Name(name) { headers[field] = value }
    }
    headers[replayed] = "true"
    return Response(
      status: HTTPResponse.Status(code: stored.status), headers: headers,
      body: ResponseBody(byteBuffer: ByteBuffer(bytes: stored.body)))
  }
}

extension Caller {
  /// Whose keys these are: the issuer and the subject together name one caller.
  var principal: String { "\(issuer) \(subject)" }
}
