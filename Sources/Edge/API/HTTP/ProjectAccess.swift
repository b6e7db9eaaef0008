import EdgeRuntime
import Foundation
import Hummingbird

/// The role check every project-scoped route makes before it touches the data: the caller's
/// role comes from one membership query (or a role their local token grants); no role at all is a 404 exactly like an id that
/// does not exist (so ids of other projects leak nothing), too low a role a 403.
///
/// A caller who passes takes a token from the project's rate-limit bucket.
package struct ProjectAccess: Sendable {
  let members: MemberStore
  let rateLimits: APIRateLimits?

  package init(members: MemberStore, rateLimits: APIRateLimits? = nil) {
    self.members = members
    self.rateLimits = rateLimits
  }

  @discardableResult
  func project(_ id: UUID, _ caller: Caller, needs needed: Role) async throws -> Role {
    guard let role = Self.higher(try await members.role(of: caller, inProject: id), caller.projectRoles[id]) else {
      throw Problem.notFound("project_not_found", "no project has the id \(id.lowercaseString)")
    }
    try Self.check(role, needed)
    try await charge(id)
    return role
  }

  /// The decision set's project, once the caller is known to hold `needed` there.
  @discardableResult
  func decisionSet(_ id: UUID, _ caller: Caller, needs needed: Role) async throws -> UUID {
    guard let access = try await members.access(of: caller, toDecisionSet: id),
      let role = Self.higher(access.role, caller.projectRoles[access.projectID])
    else {
      throw DecisionSetRoute.notFound(id)
    }
    try Self.check(role, needed)
    try await charge(access.projectID)
    return access.projectID
  }

  private func charge(_ projectID: UUID) async throws {
    guard let rateLimits else { return }
    let decision = try await rateLimits.takeForProject(projectID.lowercaseString)
    guard decision.allowed else { throw RateLimitHeaders.refusal(decision, scope: "one project") }
  }

  /// The caller's role from membership and the one their token grants, whichever is higher.
  private static func higher(_ member: Role?, _ granted: Role?) -> Role? {
    guard let member else { return granted }
    guard let granted else { return member }
    return max(member, granted)
  }

  private static func check(_ role: Role, _ needed: Role) throws(Problem) {
    guard role >= needed else {
      throw Problem.forbidden("this needs the \(needed.rawValue) role in the project; you are a \(role.rawValue)")
    }
  }
}
