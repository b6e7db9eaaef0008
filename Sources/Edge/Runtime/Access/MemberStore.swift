import Foundation
import Logging
import PostgresNIO

/// The owner of `project_members`: who holds which role in a project, and the role a
/// caller has there, answered by one query that matches the caller's subject and groups.
package struct MemberStore: Sendable {
  private let client: PostgresClient
  private let logger: Logger

  package init(client: PostgresClient, logger: Logger) {
    self.client = client
    self.logger = logger
  }

  /// The caller's highest role in the project, or nil when they are not a member (or the
  /// project does not exist: the two are not told apart).
  package func role(of caller: Caller, inProject projectID: UUID) async throws -> Role? {
    let rows = try await client.guardedQuery(
      """
      SELECT role FROM project_members
      WHERE project_id = \(projectID)
        AND ((kind = 'user' AND principal = \(caller.subject)) OR (kind = 'group' AND principal = ANY(\(caller.groups))))
      """, logger: logger)
    var best: Role?
    for try await text in rows.decode(String.self) {
      if let role = Role(rawValue: text), best.map({ role > $0 }) ?? true { best = role }
    }
    return best
  }

  /// The project of a decision set and the caller's role in it from membership (nil when
  /// they are not a member), or nil when there is no such decision set.
  package func access(of caller: Caller, toDecisionSet id: UUID) async throws -> (projectID: UUID, role: Role?)? {
    let rows = try await client.guardedQuery(
      """
      SELECT d.project_id, m.role FROM decision_sets d
      LEFT JOIN project_members m ON m.project_id = d.project_id
        AND ((m.kind = 'user' AND m.principal = \(caller.subject))
          OR (m.kind = 'group' AND m.principal = ANY(\(caller.groups))))
      WHERE d.id = \(id)
      """, logger: logger)
    var found: (projectID: UUID, role: Role?)?
    for try await (projectID, text) in rows.decode((UUID, String?).self) {
      let role = text.flatMap(Role.init(rawValue:))
      if found == nil { found = (projectID, role) }
      if let role, found?.role.map({ role > $0 }) ?? true { found?.role = role }
    }
    return found
  }

  package func list(projectID: UUID) async throws -> [ProjectMember] {
    let rows = try await client.guardedQuery(
      """
      SELECT id, project_id, kind, principal, role, added_by, created_at FROM project_members
      WHERE project_id = \(projectID) ORDER BY created_at, id
      """, logger: logger)
    return try await Self.members(rows)
  }

  /// Gives the principal `role` in the project, replacing the role it had.
  package func put(
    projectID: UUID, kind: PrincipalKind, principal: String, role: Role, by actor: String
  ) async throws -> PutResult {
    try await client.transaction(logger: logger) { connection in
      if role != .admin,
        try await Self.wouldLeaveNoAdmin(projectID, kind: kind, principal: principal, on: connection, logger: logger)
      {
        return .lastAdmin
      }
      let rows = try await connection.guardedQuery(
        """
        INSERT INTO project_members (id, project_id, kind, principal, role, added_by)
        VALUES (\(UUID()), \(projectID), \(kind.rawValue), \(principal), \(role.rawValue), \(actor))
        ON CONFLICT (project_id, kind, principal) DO UPDATE SET role = EXCLUDED.role, added_by = EXCLUDED.added_by
        RETURNING id, project_id, kind, principal, role, added_by, created_at
        """, logger: logger)
      guard let member = try await Self.members(rows).first else { return .projectNotFound }
      return .done(member)
    }
  }

  package enum PutResult: Sendable {
    case done(ProjectMember)
    case lastAdmin
    case projectNotFound
  }

  package enum RemoveResult: Sendable {
    case done(ProjectMember)
    case lastAdmin
    case notFound
  }

  package func remove(projectID: UUID, memberID: UUID) async throws -> RemoveResult {
    try await client.transaction(logger: logger) { connection in
      let found = try await Self.members(
        try await connection.guardedQuery(
          """
          SELECT id, project_id, kind, principal, role, added_by, created_at FROM project_members
          WHERE project_id = \(projectID) AND id = \(memberID) FOR UPDATE
          """, logger: logger))
      guard let member = found.first else { return .notFound }
      if try await Self.wouldLeaveNoAdmin(
        projectID, kind: member.kind, principal: member.principal, on: connection, logger: logger
      ) {
        return .lastAdmin
      }
      try await connection.guardedQuery("DELETE FROM project_members WHERE id = \(memberID)", logger: logger)
      return .done(member)
    }
  }

  /// The creator of a project becomes its first admin, on the transaction that creates it.
  static func addCreator(projectID: UUID, subject: String, on connection: PostgresConnection, logger: Logger) async throws {
    try await connection.guardedQuery(
      """
      INSERT INTO project_members (id, project_id, kind, principal, role, added_by)
      VALUES (\(UUID()), \(projectID), 'user', \(subject), 'admin', \(subject))
      """, logger: logger)
  }

  /// Whether taking admin away from this principal leaves the project with no user admin:
  /// a project always keeps someone who can manage it.
  private static func wouldLeaveNoAdmin(
    _ projectID: UUID, kind: PrincipalKind, principal: String, on connection: PostgresConnection, logger: Logger
  ) async throws -> Bool {
    let rows = try await connection.guardedQuery(
      """
      SELECT count(*) FILTER (WHERE NOT (kind = \(kind.rawValue) AND principal = \(principal)))::int,
             count(*) FILTER (WHERE kind = \(kind.rawValue) AND principal = \(principal))::int
      FROM (SELECT kind, principal FROM project_members
            WHERE project_id = \(projectID) AND role = 'admin' AND kind = 'user' FOR UPDATE) admins
      """, logger: logger)
    for try await (others, this) in rows.decode((Int, Int).self) { return this > 0 && others == 0 }
    return false
  }

  private static func members(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> [ProjectMember] {
    var members: [ProjectMember] = []
    for try await (id, projectID, kind, principal, role, addedBy, createdAt)
      in rows.decode((UUID, UUID, String, String, String, String, Date).self)
    {
      guard let kind = PrincipalKind(rawValue: kind), let role = Role(rawValue: role) else { continue }
      members.append(
        ProjectMember(
          id: id, projectID: projectID, kind: kind, principal: principal, role: role, addedBy: addedBy,
          createdAt: createdAt))
    }
    return members
  }
}
