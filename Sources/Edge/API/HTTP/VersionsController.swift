import EdgeRuntime
import Foundation
import Hummingbird
import Logging
import ServiceKit

/// Revisions (version n+1 of a decision set, run at once) and the Change Summary between two
/// published versions.
package struct VersionsController<Context: IdentifiedRequestContext>: Sendable {
  let store: DecisionSetStore
  let access: ProjectAccess
  let audit: AuditLog
  let versions: VersionStore
  let repositories: ProjectRepositories
  let maxBodyBytes: Int

  package init(
    store: DecisionSetStore, access: ProjectAccess, audit: AuditLog, versions: VersionStore,
    repositories: ProjectRepositories, maxBodyBytes: Int
  ) {
    self.store = store
    self.access = access
    self.audit = audit
    self.versions = versions
    self.repositories = repositories
    self.maxBodyBytes = maxBodyBytes
  }

  package func addRoutes(to v1: RouterGroup<Context>) {
    v1.post("decision-sets/:id/revisions", use: revise)
    v1.get("decision-sets/:id/changes", use: changes)
  }

  @Sendable func revise(_ request: Request, context: Context) async throws -> Response {
    let id = try DecisionSetRoute.id(context)
    let caller = try context.authenticated()
    let projectID = try await access.decisionSet(id, caller, needs: .editor)
    let body = try await JSONObjectBody.read(request, limit: maxBodyBytes)
    let addendum = try body.optionalString("brief_addendum", maxLength: DecisionSetsController<Context>.maxBriefLength)
    let overrides = try DecisionSetsController<Context>.constraints(
      body.fields["constraint_overrides"], field: "constraint_overrides")
    for key in body.fields.keys where !["brief_addendum", "constraint_overrides"].contains(key) {
      throw Problem.invalidField(
        key, "unknown field \(key.debugDescription); a revision takes brief_addendum and constraint_overrides")
    }
    do {
      let row = try await store.revise(id, briefAddendum: addendum, overrides: overrides, submittedBy: caller.subject)
      try await audit.record(
        "decision_set.revised", project: projectID, target: id.lowercaseString, detail: ["version": String(row.version)],
        context: context)
      return try JSONResponse.make(
        object: DecisionSetJSON.summary(row), status: .accepted, headers: [.location: DecisionSetJSON.links(row.id)["self"]!])
    } catch let spent as BudgetStore.Exhausted {
      throw Problem.budgetExhausted(spent.use)
    } catch DecisionSetStore.ReviseError.notFound {
      throw DecisionSetRoute.notFound(id)
    } catch DecisionSetStore.ReviseError.runInProgress {
      throw Problem(
        status: .conflict, code: "run_in_progress", title: "Run in progress",
        detail: "decision set \(id.lowercaseString) has a run in progress; revise it once the run has ended")
    }
  }

  @Sendable func changes(_ request: Request, context: Context) async throws -> Response {
    let id = try DecisionSetRoute.id(context)
    try await access.decisionSet(id, try context.authenticated(), needs: .viewer)
    let published = try await versions.versions(of: id)
    let to = try Self.version(request, "to", minimum: 1) ?? published.last ?? 1
    let from = try Self.version(request, "from", minimum: 0) ?? (to - 1)
    guard from != to else { throw Problem.invalidField("from", "from and to name the same version (\(to))") }
    let old: VersionStore.Version
    if from == 0 {
      old = .none
    } else {
      guard let found = try await versions.version(from, of: id) else { throw Self.versionNotFound(id, from, published) }
      old = found
    }
    guard let new = try await versions.version(to, of: id) else { throw Self.versionNotFound(id, to, published) }
    let diff = try await repositories.diff(projectID: try Self.projectID(new), decisionSetID: id, from: from, to: to)
    let summary = try ChangeSummary.make(decisionSetID: id, from: old, to: new, diff: diff)
    return try JSONResponse.make(object: summary.json(), status: .ok)
  }

  static func version(_ request: Request, _ name: String, minimum: Int) throws(Problem) -> Int? {
    guard let text = request.uri.queryParameters.get(name) else { return nil }
    guard let value = Int(text), value >= minimum, value <= 1_000_000 else {
      throw Problem.invalidField(name, "\(name) is a version number from \(minimum)")
    }
    return value
  }

  static func projectID(_ version: VersionStore.Version) throws -> UUID {
    guard let id = UUID(uuidString: version.state.projectID) else {
      throw Problem.notFound("project_not_found", "the version names no project")
    }
    return id
  }

  static func versionNotFound(_ id: UUID, _ version: Int, _ published: [Int]) -> Problem {
    Problem.notFound(
      "version_not_found",
      "decision set \(id.lowercaseString) has no published version \(version)"
        + (published.isEmpty ? " (none is published yet)" : " (published: \(published.map(String.init).joined(separator: ", ")))")
    )
  }

}
