import Foundation
import Logging
import PostgresNIO

/// Projects in PostgreSQL. Every write bumps `lock_version`; a write that names an expected
/// version only lands when the row still has it.
package struct ProjectStore: Sendable {
  private let client: PostgresClient
  private let logger: Logger

  package init(client: PostgresClient, logger: Logger) {
    self.client = client
    self.logger = logger
  }

  /// Creates the project with `creator` as its first admin, in one transaction.
  package func create(
    name: String, description: String, allowIncompleteBundles: Bool = false, fourEyes: Bool = false, creator: Caller
  ) async throws -> Project {
    try await client.transaction(logger: logger) { connection in
      let rows = try await connection.guardedQuery(
        """
        INSERT INTO projects (id, name, description, allow_incomplete_bundles, four_eyes)
        VALUES (\(UUID()), \(name), \(description), \(allowIncompleteBundles), \(fourEyes))
        RETURNING id, name, description, allow_incomplete_bundles, four_eyes, lock_version, created_at, updated_at
        """, logger: logger)
      guard let project = try await Self.projects(rows).first else { throw StoreError.noRowReturned }
      try await MemberStore.addCreator(projectID: project.id, subject: creator.subject, on: connection, logger: logger)
      return project
    }
  }

  package func get(_ id: UUID) async throws -> Project? {
    let rows = try await client.guardedQuery(
      """
      SELECT id, name, description, allow_incomplete_bundles, four_eyes, lock_version, created_at, updated_at
      FROM projects WHERE id = \(id)
      """,
      logger: logger)
    return try await Self.projects(rows).first
  }

  /// One page, in creation order, of the projects the caller is a member of (directly or
  /// through a group), and the cursor of the next page when there is one. The caller's
  /// projects are found first (by membership), so a page costs what the caller belongs to,
  /// not every project there is.
  package func list(
    visibleTo caller: Caller, limit: Int, after cursor: PageCursor?
  ) async throws -> (items: [Project], next: PageCursor?) {
    let rows = try await client.guardedQuery(
      """
      SELECT id, name, description, allow_incomplete_bundles, four_eyes, lock_version, created_at, updated_at, seq FROM projects p
      WHERE seq > \(cursor?.position ?? 0)
        AND p.id IN (
          SELECT unnest(\(Array(caller.projectRoles.keys)))
          UNION
          SELECT m.project_id FROM project_members m
          WHERE (m.kind = 'user' AND m.principal = \(caller.subject))
            OR (m.kind = 'group' AND m.principal = ANY(\(caller.groups))))
      ORDER BY seq LIMIT \(limit + 1)
      """, logger: logger)
    var items: [(Project, Int64)] = []
    for try await (id, name, description, allowIncomplete, fourEyes, lockVersion, createdAt, updatedAt, seq)
      in rows.decode((UUID, String, String, Bool, Bool, Int, Date, Date, Int64).self)
    {
      items.append(
        (
          Project(
            id: id, name: name, description: description, allowIncompleteBundles: allowIncomplete,
            fourEyes: fourEyes, lockVersion: lockVersion, createdAt: createdAt, updatedAt: updatedAt), seq
        ))
    }
    let hasMore = items.count > limit
    let page = Array(items.prefix(limit))
    return (page.map(\.0), hasMore ? page.last.map { PageCursor(position: $0.1) } : nil)
  }

  /// Changes the fields given (nil leaves a field as it is).
  package func update(
    _ id: UUID, name: String?, description: String?, allowIncompleteBundles: Bool? = nil, fourEyes: Bool? = nil,
    expectedLockVersion: Int?
  ) async throws -> GuardedWriteResult<Project> {
    let rows = try await client.guardedQuery(
      """
      UPDATE projects SET
        name = COALESCE(\(name), name),
        description = COALESCE(\(description), description),
        allow_incomplete_bundles = COALESCE(\(allowIncompleteBundles), allow_incomplete_bundles),
        four_eyes = COALESCE(\(fourEyes), four_eyes),
        lock_version = lock_version + 1,
        updated_at = now()
      WHERE id = \(id) AND (\(expectedLockVersion)::integer IS NULL OR lock_version = \(expectedLockVersion))
      RETURNING id, name, description, allow_incomplete_bundles, four_eyes, lock_version, created_at, updated_at
      """, logger: logger)
    if let project = try await Self.projects(rows).first { return .done(project) }
    return try await missOrMismatch(id)
  }

  /// Deleting a project cascades into its decision sets' jobs and checkpoints while a worker
  /// may hold some of them in a step's transaction; when PostgreSQL picks the delete as the
  /// victim of that deadlock (40P01) it rolled back whole, so it is tried again.
  package func delete(_ id: UUID, expectedLockVersion: Int?) async throws -> GuardedWriteResult<Void> {
    var attempt = 1
    while true {
      do {
        return try await deleteOnce(id, expectedLockVersion: expectedLockVersion)
      } catch let error as PSQLError where error.serverInfo?[.sqlState] == "40P01" && attempt < 5 {
        attempt += 1
        try await Task.sleep(for: .milliseconds(20 * attempt))
      }
    }
  }

  private func deleteOnce(_ id: UUID, expectedLockVersion: Int?) async throws -> GuardedWriteResult<Void> {
    // The tombstone commits with the delete: a worker removes the project's files later.
    let rows = try await client.guardedQuery(
      """
      WITH gone AS (
        DELETE FROM projects
        WHERE id = \(id) AND (\(expectedLockVersion)::integer IS NULL OR lock_version = \(expectedLockVersion))
        RETURNING id),
      tombstone AS (
        INSERT INTO project_tombstones (project_id) SELECT id FROM gone ON CONFLICT (project_id) DO NOTHING)
      SELECT id FROM gone
      """, logger: logger)
    for try await _ in rows { return .done(()) }
    return try await missOrMismatch(id)
  }

  /// Projects deleted at least `age` ago whose files are still to be removed, oldest first.
  package func tombstones(olderThan age: Duration, limit: Int = 100) async throws -> [UUID] {
    let rows = try await client.guardedQuery(
      """
      SELECT project_id FROM project_tombstones
      WHERE deleted_at <= now() - make_interval(secs => \(Int(age.components.seconds)))
      ORDER BY deleted_at LIMIT \(limit)
      """, logger: logger)
    var ids: [UUID] = []
    for try await id in rows.decode(UUID.self) { ids.append(id) }
    return ids
  }

  /// The project's files are gone: forget it.
  package func forgetTombstone(_ id: UUID) async throws {
    try await client.guardedQuery("DELETE FROM project_tombstones WHERE project_id = \(id)", logger: logger)
  }

  private func missOrMismatch<Value>(_ id: UUID) async throws -> GuardedWriteResult<Value> {
    guard let current = try await get(id) else { return .notFound }
    return .versionMismatch(current: current.lockVersion)
  }

  private static func projects(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> [Project] {
    var projects: [Project] = []
    for try await (id, name, description, allowIncomplete, fourEyes, lockVersion, createdAt, updatedAt)
      in rows.decode((UUID, String, String, Bool, Bool, Int, Date, Date).self)
    {
      projects.append(
        Project(
          id: id, name: name, description: description, allowIncompleteBundles: allowIncomplete, fourEyes: fourEyes,
          lockVersion: lockVersion, createdAt: createdAt, updatedAt: updatedAt))
    }
    return projects
  }

  /// Whether the project publishes bundles some validator could not run on; false for a
  /// project that no longer exists.
  package func allowsIncompleteBundles(_ id: UUID) async throws -> Bool {
    try await get(id)?.allowIncompleteBundles ?? false
  }

  enum StoreError: Error {
    case noRowReturned
  }
}
