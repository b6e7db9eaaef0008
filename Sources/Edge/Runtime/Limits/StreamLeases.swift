import Foundation
import Logging
import PostgresNIO

/// The SSE streams each caller holds open, counted across every API replica: a stream takes a
/// lease when it opens and gives it back when it ends. A lease outlives its stream's longest
/// life by a margin, so a replica that dies without giving its leases back frees them anyway.
package struct StreamLeases: Sendable {
  private let client: PostgresClient
  private let logger: Logger

  package init(client: PostgresClient, logger: Logger) {
    self.client = client
    self.logger = logger
  }

  /// A lease for one more stream of `caller`, or nil when they hold `limit` already. Leases of
  /// one caller are taken one at a time (an advisory lock on the caller), so two replicas
  /// cannot both take the last one.
  package func acquire(caller: String, limit: Int, lasting seconds: Int) async throws -> UUID? {
    let id = UUID()
    return try await client.transaction(logger: logger) { connection in
      try await connection.guardedQuery(
        "SELECT pg_advisory_xact_lock(hashtextextended(\("stream:" + caller), 0))", logger: logger)
      let rows = try await connection.guardedQuery(
        """
        INSERT INTO stream_leases (id, caller, expires_at)
        SELECT \(id), \(caller), now() + make_interval(secs => \(Double(seconds)))
        WHERE (SELECT count(*) FROM stream_leases WHERE caller = \(caller) AND expires_at > now()) < \(limit)
        RETURNING id
        """, logger: logger)
      for try await _ in rows { return id }
      return nil
    }
  }

  package func release(_ id: UUID) async throws {
    try await client.guardedQuery(
      "DELETE FROM stream_leases WHERE id = \(id) OR expires_at < now() - interval '1 minute'", logger: logger)
  }
}
