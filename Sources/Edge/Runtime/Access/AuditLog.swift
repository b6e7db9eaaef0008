import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// The owner of `audit_events`: an append-only record of who did what to a project (the
/// table refuses updates and deletes), read back per project, newest last.
package struct AuditLog: Sendable {
  private let client: PostgresClient
  private let logger: Logger

  package init(client: PostgresClient, logger: Logger) {
    self.client = client
    self.logger = logger
  }

  package struct Entry: Sendable, Equatable {
    package var id: Int64 = 0
    package var projectID: UUID?
    package var actor: String
    package var actorName: String
    /// What was done, as `noun.verb`: `project.created`, `decision_set.approved`, ...
    package var action: String
    /// What it was done to: a decision set id, a member, a token name.
    package var target: String
    package var detail: [String: String]
    package var requestID: String
    package var createdAt = Date()

    package init(
      projectID: UUID?, actor: Caller, action: String, target: String = "", detail: [String: String] = [:],
      requestID: String
    ) {
      self.init(
        projectID: projectID, actor: actor.subject, actorName: actor.name, action: action, target: target,
        detail: detail, requestID: requestID)
    }

    /// An act known only by the subject that did it (a download through a link issued to them).
    package init(
      projectID: UUID?, actor: String, actorName: String = "", action: String, target: String = "",
      detail: [String: String] = [:], requestID: String
    ) {
      self.projectID = projectID
      self.actor = actor
      self.actorName = actorName
      self.action = action
      self.target = target
      self.detail = detail
      self.requestID = requestID
    }

    init(
      id: Int64, projectID: UUID?, actor: String, actorName: String, action: String, target: String,
      detail: [String: String], requestID: String, createdAt: Date
    ) {
      self.init(
        projectID: projectID, actor: actor, actorName: actorName, action: action, target: target, detail: detail,
        requestID: requestID)
      self.id = id
      self.createdAt = createdAt
    }
  }

  package func record(_ entry: Entry) async throws {
    let detail = try SortedJSON.string(entry.detail)
    try await client.guardedQuery(
      """
      INSERT INTO audit_events (project_id, actor, actor_name, action, target, detail, request_id)
      VALUES (\(entry.projectID), \(entry.actor), \(entry.actorName), \(entry.action), \(entry.target),
              \(detail)::jsonb, \(entry.requestID))
      """, logger: logger)
  }

  /// The project's entries after `after` (an entry id), oldest first, at most `limit`.
  package func entries(projectID: UUID, after: Int64, limit: Int) async throws -> [Entry] {
    let rows = try await client.guardedQuery(
      """
      SELECT id, actor, actor_name, action, target, detail::text, request_id, created_at FROM audit_events
      WHERE project_id = \(projectID) AND id > \(after) ORDER BY id LIMIT \(limit)
      """, logger: logger)
    var entries: [Entry] = []
    for try await (id, actor, actorName, action, target, detail, requestID, createdAt)
      in rows.decode((Int64, String, String, String, String, String, String, Date).self)
    {
      let fields = (try? JSONSerialization.jsonObject(with: Data(detail.utf8))) as? [String: String] ?? [:]
      entries.append(
        Entry(
          id: id, projectID: projectID, actor: actor, actorName: actorName, action: action, target: target,
          detail: fields, requestID: requestID, createdAt: createdAt))
    }
    return entries
  }
}
