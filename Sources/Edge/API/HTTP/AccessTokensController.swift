import Contracts
import EdgeRuntime
import Foundation
import Hummingbird
import ServiceKit

/// `/v1/tokens`: the caller's personal access tokens. Creating one answers with its secret,
/// once; listing shows names and dates only; revoking stops it at once. A personal access
/// token cannot make another (a leaked one must not breed), and only its owner sees or
/// revokes it: another's id is a 404. Creation and revocation are audited.
package struct AccessTokensController<Context: IdentifiedRequestContext>: Sendable {
  let store: AccessTokenStore
  let audit: AuditLog
  let maxBodyBytes: Int

  static var defaultDays: Int { 30 }
  static var maxDays: Int { 365 }

  package init(store: AccessTokenStore, audit: AuditLog, maxBodyBytes: Int) {
    self.store = store
    self.audit = audit
    self.maxBodyBytes = maxBodyBytes
  }

  package func addRoutes(to v1: RouterGroup<Context>) {
    v1.post("tokens", use: create)
    v1.get("tokens", use: list)
    v1.delete("tokens/:token", use: revoke)
  }

  @Sendable func create(_ request: Request, context: Context) async throws -> Response {
    let caller = try context.authenticated()
    guard caller.issuer != AccessTokenStore.issuer else {
      throw Problem.forbidden("a personal access token cannot create another; sign in with your issuer's token")
    }
    let body = try await JSONObjectBody.read(request, limit: maxBodyBytes)
    let name = try body.requiredString("name", maxLength: 200)
    if let problem = InputLimits.textProblem(name, maxCharacters: 200)
      ?? (name.trimmingCharacters(in: .whitespaces).isEmpty ? "is blank" : nil)
    {
      throw Problem.invalidField("name", "the name \(problem)")
    }
    var days = Self.defaultDays
    if let value = body.fields["expires_in_days"] {
      guard case .number(let number) = value, number == number.rounded(), (1...Double(Self.maxDays)).contains(number) else {
        throw Problem.invalidField("expires_in_days", "expires_in_days must be a whole number from 1 to \(Self.maxDays)")
      }
      days = Int(number)
    }
    for key in body.fields.keys where !["name", "expires_in_days"].contains(key) {
      throw Problem.invalidField(key, "unknown field \(key.debugDescription); a token has name and expires_in_days")
    }
    let (token, secret) = try await store.create(for: caller, name: name, lifetime: .seconds(days * 86_400))
    try await audit.record(
      "token.created", project: nil, target: token.id.lowercaseString, detail: ["name": name], context: context)
    var object = Self.json(token)
    object["token"] = secret
    return try JSONResponse.make(object: object, status: .created)
  }

  @Sendable func list(_ request: Request, context: Context) async throws -> Response {
    let tokens = try await store.list(owner: try context.authenticated().subject)
    return try JSONResponse.make(object: ["items": tokens.map(Self.json)], status: .ok)
  }

  @Sendable func revoke(_ request: Request, context: Context) async throws -> Response {
    let text = context.parameters.get("token") ?? ""
    let caller = try context.authenticated()
    guard let id = UUID(uuidString: text), let token = try await store.revoke(id, owner: caller.subject) else {
      throw Problem.notFound("token_not_found", "you have no personal access token with the id \(text.debugDescription)")
    }
    try await audit.record(
      "token.revoked", project: nil, target: token.id.lowercaseString, detail: ["name": token.name], context: context)
    return Response(status: .noContent)
  }

  static func json(_ token: AccessTokenStore.Token) -> [String: Any] {
    [
      "id": token.id.lowercaseString, "name": token.name, "created_at": JSONResponse.timestamp(token.createdAt),
      "expires_at": JSONResponse.timestamp(token.expiresAt),
      "last_used_at": token.lastUsedAt.map { JSONResponse.timestamp($0) as Any } ?? NSNull(),
      "revoked_at": token.revokedAt.map { JSONResponse.timestamp($0) as Any } ?? NSNull(),
    ]
  }
}
