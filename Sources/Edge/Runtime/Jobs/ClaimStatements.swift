import Foundation
import PostgresNIO

/// A claim, prepared once per connection: a claim ran in a tenth of a millisecond and was
/// planned afresh each time in as much again (`pg_stat_statements` over `bench graph`). Each
/// kind takes its owner as `$1`, its lease in seconds as `$2` and what picks its jobs as `$3`.
protocol ClaimStatement: PostgresPreparedStatement where Row == ClaimStatements.Claimed {
  associatedtype Selector: PostgresNonThrowingEncodable
  var owner: String { get }
  var leaseSeconds: Double { get }
  var selector: Selector { get }
}

extension ClaimStatement {
  func makeBindings() throws -> PostgresBindings {
    var bindings = PostgresBindings(capacity: 3)
    bindings.append(owner)
    bindings.append(leaseSeconds)
    bindings.append(selector)
    return bindings
  }

  func decodeRow(_ row: PostgresRow) throws -> Row {
    try row.decode((Int64, String, UUID, UUID, Int, Int, String?).self)
  }
}

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

  /// Up to `selector` ready jobs, by priority and age, skipping those another worker holds.
  struct Next: ClaimStatement {
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
    /// How many jobs at most.
    var selector: Int
  }

  /// The ready job of the thread `selector`, if no one holds it.
  struct OfThread: ClaimStatement {
    static let sql = """
      \(taken)
      WHERE id = (SELECT id FROM jobs WHERE thread_id = $3 AND state = 'ready' FOR UPDATE SKIP LOCKED LIMIT 1)
      \(returning)
      """
    static let bindingDataTypes: [PostgresDataType] = [.text, .float8, .uuid]

    var owner: String
    var leaseSeconds: Double
    var selector: UUID
  }
}
