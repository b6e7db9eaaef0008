import EdgeRuntime
import Foundation
import Hummingbird

/// `GET /v1/projects/{id}/audit`: the project's append-only trail of who did what, for its
/// admins, a page at a time after the last entry read.
package struct AuditController<Context: IdentifiedRequestContext>: Sendable {
  let audit: AuditLog
  let access: ProjectAccess

  package init(audit: AuditLog, access: ProjectAccess) {
    self.audit = audit
    self.access = access
  }

  package func addRoutes(to projects: RouterGroup<Context>) {
    projects.get(":id/audit", use: trail)
  }

  @Sendable func trail(_ request: Request, context: Context) async throws -> Response {
    let id = try ProjectsController<Context>.projectID(context)
    try await access.project(id, try context.authenticated(), needs: .admin)
    let page = try AfterPage.read(request, item: "an audit entry id")
    let entries = try await audit.entries(projectID: id, after: page.after, limit: page.limit)
    let items: [[String: Any]] = entries.map { entry in
      [
        "id": entry.id, "actor": entry.actor, "actor_name": entry.actorName, "action": entry.action,
        "target": entry.target, "detail": entry.detail, "request_id": entry.requestID,
        "created_at": JSONResponse.timestamp(entry.createdAt),
      ]
    }
    return try JSONResponse.make(
      object: [
        "items": items,
        "next_after": entries.count == page.limit ? (entries.last.map { $0.id as Any } ?? NSNull()) : NSNull(),
      ], status: .ok)
  }
}
