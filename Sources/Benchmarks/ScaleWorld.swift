import EdgeRuntime
import Foundation
import Logging
import PostgresNIO

/// The data `bench scale` measures against, written in bulk with SQL: projects, each with
/// decision sets that have ended (two checkpoints, a finished job, events), and one caller who
/// is a member of the first projects. `grow(to:)` adds what is missing, so one database is
/// measured small and then loaded.
struct ScaleWorld: Sendable {
  struct Size: Sendable, CustomStringConvertible {
    var projects: Int
    var decisionSetsPerProject: Int
    var eventsPerDecisionSet: Int

    var decisionSets: Int { projects * decisionSetsPerProject }
    var events: Int { decisionSets * eventsPerDecisionSet }
    var description: String { "\(projects) projects, \(decisionSets) decision sets, \(events) events" }
  }

  /// The member's subject; it belongs to the first `memberProjects` projects.
  static let member = "bench-member"
  static let memberProjects = 20

  let client: PostgresClient
  let logger: Logger

  /// Adds projects (and all they hold) until there are `size.projects`, then refreshes the
  /// planner's statistics, as autovacuum would after such a load.
  func grow(to size: Size) async throws {
    let existing = try await count("SELECT count(*) FROM projects")
    guard size.projects > existing else { return }
    let first = existing + 1
    let last = size.projects
    // Rows of one load share its range of `name` numbers: each insert below picks its own.
    let mine = "p.name ~ '^scale-[0-9]+$' AND substring(p.name from 7)::int BETWEEN \(first) AND \(last)"
    try await run(
      """
      INSERT INTO projects (id, name, created_at, updated_at)
      SELECT gen_random_uuid(), 'scale-' || g, now() - interval '2 days', now() - interval '2 days'
      FROM generate_series(\(first), \(last)) g
      """)
    try await run(
      """
      INSERT INTO project_members (id, project_id, kind, principal, role)
      SELECT gen_random_uuid(), p.id, 'user', '\(Self.member)', 'editor' FROM projects p
      WHERE \(mine) AND substring(p.name from 7)::int <= \(Self.memberProjects)
      """)
    try await run(
      """
      INSERT INTO decision_sets (id, project_id, brief, status, current_node, created_at, updated_at)
      SELECT gen_random_uuid(), p.id, 'scale', 'completed', 'diff_and_persist',
             now() - interval '2 days' + g * interval '1 second', now() - interval '1 day' + g * interval '1 second'
      FROM projects p, generate_series(1, \(size.decisionSetsPerProject)) g WHERE \(mine)
      """)
    let sets = "SELECT d.id, d.project_id FROM decision_sets d JOIN projects p ON p.id = d.project_id WHERE \(mine)"
    // Two checkpoints a run (its root and where it ended) with an empty state, which decodes.
    try await run(
      """
      INSERT INTO checkpoints (checkpoint_id, thread_id, project_id, parent_id, node, next_node, state)
      SELECT md5(d.id::text || 'root')::uuid, d.id, d.project_id, NULL, 'start', 'intake_extract', '\\x'::bytea
      FROM (\(sets)) d
      """)
    try await run(
      """
      INSERT INTO checkpoints (checkpoint_id, thread_id, project_id, parent_id, node, next_node, state)
      SELECT md5(d.id::text || 'end')::uuid, d.id, d.project_id, md5(d.id::text || 'root')::uuid, 'diff_and_persist',
             NULL, '\\x'::bytea
      FROM (\(sets)) d
      """)
    try await run(
      """
      INSERT INTO jobs (kind, thread_id, project_id, state, attempts, idem_key, updated_at)
      SELECT 'graph.run', d.id, d.project_id, 'succeeded', 1, 'scale:' || d.id, now() - interval '1 day'
      FROM (\(sets)) d
      """)
    try await run(
      """
      INSERT INTO events (decision_set_id, project_id, type, payload)
      SELECT d.id, d.project_id, 'reason-card',
             jsonb_build_object('node', 'planner', 'choice', 'SageMaker endpoint', 'confidence', 0.8, 'n', g)
      FROM (\(sets)) d, generate_series(1, \(size.eventsPerDecisionSet)) g
      """)
    try await run("ANALYZE")
  }

  func count(_ sql: String) async throws -> Int {
    let rows = try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger)
    for try await value in rows.decode(Int.self) { return value }
    return 0
  }

  private func run(_ sql: String) async throws {
    try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger)
  }
}
