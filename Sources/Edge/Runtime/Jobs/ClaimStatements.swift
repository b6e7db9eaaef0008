import Foundation
import PostgresNIO

/// The claims, prepared once per connection: a claim ran in a tenth of a millisecond and was
/// planned afresh each time in as much again (`pg_stat_statements` over `bench graph`).
enum ClaimStatements {
  /// What a claim returns of each job it takes.
  typealias Claimed = (
    id: Int64, kind: String, threadID: UUID, projectID: UUID, attempts: Int, maxAttempts: Int, traceContext: String?
  )

  static let taken = """
    UPDATE jobs SET state = 'running', lease_owner = $1,
      lease_expires_at = now() + make_interval(secs => $2),
      attempts = attempts + 1, updated_at = now()
    """
  static let returning = "RETURNING id, kind, thread_id, project_id, attempts, max_attempts, trace_context"

  /// Up to `limit` ready jobs, by priority and age, skipping those another worker holds.
  struct Next: PostgresPreparedStatement {
    typealias Row = Claimed
    static let sql = """
      \(taken)
      WHERE id IN (
        SELECT id FROM jobs WHERE state = 'ready' AND run_at <= now()
        ORDER BY priority DESC, created_at, id
        LIMIT $3 FOR UPDATE SKIP LOCKED)
      \(returning)
      """
    static let bindingDataTypes: [PostgresDataType] = [.text, .float8, .int8]

    var owner: String
    var leaseSeconds: Double
    var limit: Int

    func makeBindings() throws -> PostgresBindings {
      var bindings = PostgresBindings(capacity: 3)
      bindings.append(owner)
      bindings.append(leaseSeconds)
      bindings.append(limit)
      return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
      try row.decode((Int64, String, UUID, UUID, Int, Int, String?).self)
    }
  }

  /// The ready job of one thread, if no one holds it.
  struct OfThread: PostgresPreparedStatement {
    typealias Row = Claimed
    static let sql = """
      \(taken)
      WHERE id = (SELECT id FROM jobs WHERE thread_id = $3 AND state = 'ready' FOR UPDATE SKIP LOCKED LIMIT 1)
      \(returning)
      """
    static let bindingDataTypes: [PostgresDataType] = [.text, .float8, .uuid]

    var owner: String
    var leaseSeconds: Double
    var threadID: UUID

    func makeBindings() throws -> PostgresBindings {
      var bindings = PostgresBindings(capacity: 3)
      bindings.append(owner)
      bindings.append(leaseSeconds)
      bindings.append(threadID)
      return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
      try row.decode((Int64, String, UUID, UUID, Int, Int, String?).self)
    }
  }
}
