import Contracts
import EdgeRuntime
import Foundation
import Hummingbird

/// `/v1/projects/{id}/members`: who holds which role (members may read the list; admins
/// change it; a project keeps at least one user admin).
package struct MembersController<Context: IdentifiedRequestContext>: Sendable {
  let members: MemberStore
  let access: ProjectAccess
  let audit: AuditLog
  let maxBodyBytes: Int

  package init(members: MemberStore, access: ProjectAccess, audit: AuditLog, maxBodyBytes: Int) {
    self.members = members
    self.access = access
    self.audit = audit
    self.maxBodyBytes = maxBodyBytes
  }

  package func addRoutes(to projects: RouterGroup<Context>) {
    projects.get(":id/members", use: list)
    projects.put(":id/members", use: put)
    projects.delete(":id/members/:member", use: remove)
  }

  @Sendable func list(_ request: Request, context: Context) async throws -> Response {
    let id = try ProjectsController<Context>.projectID(context)
    try await access.project(id, try context.authenticated(), needs: .viewer)
    return try JSONResponse.make(MemberList(items: try await members.list(projectID: id)), status: .ok)
  }

  @Sendable func put(_ request: Request, context: Context) async throws -> Response {
    let id = try ProjectsController<Context>.projectID(context)
    try await access.project(id, try context.authenticated(), needs: .admin)
    let body = try await JSONObjectBody.read(request, limit: maxBodyBytes)
    let kindText = try body.requiredString("kind", maxLength: 10)
    guard let kind = PrincipalKind(rawValue: kindText) else {
      throw Problem.invalidField("kind", "kind must be \"user\" or \"group\"")
    }
    let principal = try body.requiredString("principal", maxLength: 256)
    if let problem = InputLimits.textProblem(principal, maxCharacters: 256) ?? (principal.isEmpty ? "is empty" : nil) {
      throw Problem.invalidField("principal", "the principal \(problem)")
    }
    let roleText = try body.requiredString("role", maxLength: 10)
    guard let role = Role(rawValue: roleText) else {
      throw Problem.invalidField(
        "role", "role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    for key in body.fields.keys where !["kind", "principal", "role"].contains(key) {
      throw Problem.invalidField(key, "unknown field \(key.debugDescription); a member has kind, principal and role")
    }
    switch try await members.put(
      projectID: id, kind: kind, principal: principal, role: role, by: try context.authenticated().subject)
    {
    case .done(let member):
      try await audit.record(
        "member.set", project: id, target: "\(kind.rawValue):\(principal)", detail: ["role": role.rawValue],
        context: context)
      return try JSONResponse.make(member, status: .ok)
    case .lastAdmin: throw Self.lastAdmin
    case .projectNotFound: throw ProjectsController<Context>.notFound(id)
    }
  }

  @Sendable func remove(_ request: Request, context: Context) async throws -> Response {
    let id = try ProjectsController<Context>.projectID(context)
    try await access.project(id, try context.authenticated(), needs: .admin)
    let text = context.parameters.get("member") ?? ""
    guard let memberID = UUID(uuidString: text) else { throw Self.memberNotFound(text) }
    switch try await members.remove(projectID: id, memberID: memberID) {
    case .done(let member):
      try await audit.record(
        "member.removed", project: id, target: "\(member.kind.rawValue):\(member.principal)",
        detail: ["role": member.role.rawValue], context: context)
      return Response(status: .noContent)
    case .lastAdmin: throw Self.lastAdmin
    case .notFound: throw Self.memberNotFound(text)
    }
  }

  static var lastAdmin: Problem {
    Problem(
      status: .conflict, code: "last_admin", title: "Last admin",
      detail: "a project keeps at least one user who is its admin; make another user admin first")
  }

  static func memberNotFound(_ text: String) -> Problem {
    Problem.notFound("member_not_found", "the project has no member with the id \(text.debugDescription)")
  }
}

struct MemberList: Encodable {
  var items: [ProjectMember]
}
