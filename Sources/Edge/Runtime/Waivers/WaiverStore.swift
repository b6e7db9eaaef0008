import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// The owner of `policy_waivers`: a reviewer's acceptance of one rule's warn or fail for a
/// project, with a reason and an expiry. Waivers are never deleted: a revoked one keeps its
/// row with who revoked it and when, and an expired one simply stops being handed to policy.
package struct WaiverStore: Sendable {
  private let client: PostgresClient
  private let logger: Logger

  package init(client: PostgresClient, logger: Logger) {
    self.client = client
    self.logger = logger
  }

  package struct Waiver: Sendable, Equatable {
    package var id: UUID
    package var projectID: UUID
    package var ruleID: String
    package var reason: String
    package var waivedBy: String
    package var waivedByName: String
    package var createdAt: Date
    package var expiresAt: Date
    package var revokedAt: Date?
    package var revokedBy: String?

    /// The waiver as the policy engine takes it.
    package var message: Mlops_V1_PolicyWaiver {
      .with {
        $0.id = id.lowercaseString
        $0.ruleID = ruleID
        $0.reason = reason
        $0.waivedBy = waivedByName.isEmpty ? waivedBy : "\(waivedByName) (\(waivedBy))"
        $0.waivedAt = RFC3339.string(createdAt)
        $0.expiresAt = RFC3339.string(expiresAt)
      }
    }

    /// `active`, `expired` or `revoked`, at `now`.
    package func state(at now: Date) -> String {
      revokedAt != nil ? "revoked" : (now < expiresAt ? "active" : "expired")
    }

    package func json(at now: Date) -> [String: Any] {
      var object: [String: Any] = [
        "id": id.lowercaseString, "project_id": projectID.lowercaseString, "rule_id": ruleID, "reason": reason,
        "waived_by": waivedBy, "waived_by_name": waivedByName, "created_at": RFC3339.string(createdAt),
        "expires_at": RFC3339.string(expiresAt),
        "state": state(at: now),
      ]
      object["revoked_at"] = revokedAt.map(RFC3339.string) ?? NSNull()
      object["revoked_by"] = revokedBy ?? NSNull()
      return object
    }
  }

  package func create(
    projectID: UUID, ruleID: String, reason: String, expiresAt: Date, by caller: Caller, at now: Date
  ) async throws -> Waiver? {
    let rows = try await client.guardedQuery(
      """
      INSERT INTO policy_waivers (id, project_id, rule_id, reason, waived_by, waived_by_name, created_at, expires_at)
      SELECT \(UUID()), id, \(ruleID), \(reason), \(caller.subject), \(caller.name), \(now), \(expiresAt)
      FROM projects WHERE id = \(projectID)
      RETURNING \(unescaped: Self.columns)
      """, logger: logger)
    return try await Self.waivers(rows).first
  }

  /// Every waiver of the project, newest first, revoked and expired ones too.
  package func list(projectID: UUID) async throws -> [Waiver] {
    let rows = try await client.guardedQuery(
      "SELECT \(unescaped: Self.columns) FROM policy_waivers WHERE project_id = \(projectID) ORDER BY created_at DESC, id",
      logger: logger)
    return try await Self.waivers(rows)
  }

  /// Revokes a waiver that is not revoked yet; nil when the project has no such waiver.
  package func revoke(projectID: UUID, id: UUID, by caller: Caller, at now: Date) async throws -> Waiver? {
    let rows = try await client.guardedQuery(
      """
      UPDATE policy_waivers SET revoked_at = COALESCE(revoked_at, \(now)), revoked_by = COALESCE(revoked_by, \(caller.subject))
      WHERE project_id = \(projectID) AND id = \(id)
      RETURNING \(unescaped: Self.columns)
      """, logger: logger)
    return try await Self.waivers(rows).first
  }

  /// The waivers in force at `instant`, for a version submitted then.
  static func active(projectID: UUID, at instant: Date, on connection: PostgresConnection, logger: Logger) async throws
    -> [Mlops_V1_PolicyWaiver]
  {
    let rows = try await connection.guardedQuery(
      """
      SELECT \(unescaped: columns) FROM policy_waivers
      WHERE project_id = \(projectID) AND revoked_at IS NULL AND expires_at > \(instant)
      ORDER BY rule_id, expires_at DESC
      LIMIT \(InputLimits.policyWaivers)
      """, logger: logger)
    return try await waivers(rows).map(\.message)
  }

  private static let columns =
    "id, project_id, rule_id, reason, waived_by, waived_by_name, created_at, expires_at, revoked_at, revoked_by"

  private static func waivers(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> [Waiver] {
    var waivers: [Waiver] = []
    for try await (id, project, rule, reason, by, byName, created, expires, revokedAt, revokedBy) in rows.decode(
      (UUID, UUID, String, String, String, String, Date, Date, Date?, String?).self)
    {
      waivers.append(
        Waiver(
          id: id, projectID: project, ruleID: rule, reason: reason, waivedBy: by, waivedByName: byName, createdAt: created,
          expiresAt: expires, revokedAt: revokedAt, revokedBy: revokedBy))
    }
    return waivers
  }
}
