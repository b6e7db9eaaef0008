import Foundation
import Logging
import PostgresNIO

/// Rows the runtime's tests need: a project and decision sets (threads) in it.
package enum Fixtures {
  /// Creates a project and `count` decision sets in it; returns the project and the threads.
  package static func threads(_ count: Int, on client: PostgresClient) async throws -> (project: UUID, threads: [UUID]) {
    let project = UUID()
    let logger = TestDatabase.logger
    try await client.query(
      "INSERT INTO projects (id, name) VALUES (\(project), 'fixture')", logger: logger)
    try await client.query(
      """
      INSERT INTO decision_sets (id, project_id, brief)
      SELECT gen_random_uuid(), \(project), 'fixture brief' FROM generate_series(1, \(count))
      """, logger: logger)
    let rows = try await client.query(
      "SELECT id FROM decision_sets WHERE project_id = \(project) ORDER BY id", logger: logger)
    var threads: [UUID] = []
    for try await id in rows.decode(UUID.self) { threads.append(id) }
    return (project, threads)
  }

  /// Makes `user` a member of the project with `role`, as the API's members route would.
  package static func addMember(_ project: UUID, user: String, role: String, on client: PostgresClient) async throws {
    try await client.query(
      """
      INSERT INTO project_members (id, project_id, kind, principal, role)
      VALUES (\(UUID()), \(project), 'user', \(user), \(role))
      """, logger: TestDatabase.logger)
  }

  package static func count(_ sql: String, on client: PostgresClient) async throws -> Int {
    let rows = try await client.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger)
    for try await value in rows.decode(Int.self) { return value }
    return 0
  }
}
