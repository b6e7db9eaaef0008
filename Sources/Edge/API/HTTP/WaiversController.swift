import Contracts
import EdgeRuntime
import Foundation
import Hummingbird

/// `/v1/projects/{id}/waivers`: a reviewer waives a named rule's warn or fail for the project,
/// with a reason and an expiry; members list them (active, expired, revoked); a reviewer
/// revokes one. A waiver applies to the versions submitted while it is in force.
package struct WaiversController<Context: IdentifiedRequestContext>: Sendable {
  let waivers: WaiverStore
  let access: ProjectAccess
  let audit: AuditLog
  let clock: EdgeClock
  let maxBodyBytes: Int

  /// The furthest ahead a waiver may expire: it must be looked at again within a year.
  static var maxDays: Int { 366 }

  package init(waivers: WaiverStore, access: ProjectAccess, audit: AuditLog, clock: EdgeClock, maxBodyBytes: Int) {
    self.waivers = waivers
    self.access = access
    self.audit = audit
    self.clock = clock
    self.maxBodyBytes = maxBodyBytes
  }

  package func addRoutes(to projects: RouterGroup<Context>) {
    projects.post(":id/waivers", use: create)
    projects.get(":id/waivers", use: list)
    projects.delete(":id/waivers/:waiver", use: revoke)
  }

  @Sendable func create(_ request: Request, context: Context) async throws -> Response {
    let id = try ProjectsController<Context>.projectID(context)
    let caller = try context.authenticated()
    try await access.project(id, caller, needs: .reviewer)
    let body = try await JSONObjectBody.read(request, limit: maxBodyBytes)
    try body.onlyFields(["rule_id", "reason", "expires_at"], in: "a waiver")
    let ruleID = try body.requiredString("rule_id", maxLength: 128)
    guard Self.isRuleID(ruleID) else {
      throw Problem.invalidField(
        "rule_id", "rule_id must name a policy rule: lower-case letters, digits, '.', '_' and '-', e.g. data.encryption_kms")
    }
    let reason = try body.requiredString("reason", maxLength: InputLimits.waiverReasonCharacters)
    if let problem = InputLimits.textProblem(reason, maxCharacters: InputLimits.waiverReasonCharacters) {
      throw Problem.invalidField("reason", "the reason \(problem)")
    }
    let expiresText = try body.requiredString("expires_at", maxLength: 40)
    guard let expires = RFC3339.date(expiresText) else {
      throw Problem.invalidField("expires_at", "expires_at must be an RFC 3339 date and time, e.g. 2027-01-31T00:00:00Z")
    }
    let now = clock.now()
    guard expires > now, expires <= now.addingTimeInterval(Double(Self.maxDays) * 86_400) else {
      throw Problem.invalidField("expires_at", "expires_at must be in the future and at most \(Self.maxDays) days ahead")
    }
    guard
      let waiver = try await waivers.create(
        projectID: id, ruleID: ruleID, reason: reason, expiresAt: expires, by: caller, at: now)
    else { throw ProjectsController<Context>.notFound(id) }
    try await audit.record(
      "policy.waived", project: id, target: ruleID,
      detail: ["waiver": waiver.id.lowercaseString, "expires_at": RFC3339.string(expires), "reason": reason],
      context: context)
    var response = try JSONResponse.make(object: waiver.json(at: now), status: .created)
    response.headers[.location] = "/v1/projects/\(id.lowercaseString)/waivers/\(waiver.id.lowercaseString)"
    return response
  }

  @Sendable func list(_ request: Request, context: Context) async throws -> Response {
    let id = try ProjectsController<Context>.projectID(context)
    try await access.project(id, try context.authenticated(), needs: .viewer)
    let now = clock.now()
    return try JSONResponse.make(
      object: ["items": try await waivers.list(projectID: id).map { $0.json(at: now) }], status: .ok)
  }

  @Sendable func revoke(_ request: Request, context: Context) async throws -> Response {
    let id = try ProjectsController<Context>.projectID(context)
    let caller = try context.authenticated()
    try await access.project(id, caller, needs: .reviewer)
    let text = context.parameters.get("waiver") ?? ""
    guard let waiverID = UUID(uuidString: text),
      let waiver = try await waivers.revoke(projectID: id, id: waiverID, by: caller, at: clock.now())
    else {
      throw Problem.notFound("waiver_not_found", "the project has no waiver with the id \(text.debugDescription)")
    }
    try await audit.record(
      "policy.waiver_revoked", project: id, target: waiver.ruleID, detail: ["waiver": waiver.id.lowercaseString],
      context: context)
    return Response(status: .noContent)
  }

  static func isRuleID(_ text: String) -> Bool {
    guard let first = text.unicodeScalars.first, text.unicodeScalars.count <= 128,
      ("a"..."z").contains(Character(first)) || ("0"..."9").contains(Character(first))
    else { return false }
    return text.unicodeScalars.allSatisfy { scalar in
      ("a"..."z").contains(Character(scalar)) || ("0"..."9").contains(Character(scalar)) || "._-".unicodeScalars.contains(scalar)
    }
  }
}
