import Logging
import PostgresNIO

/// The connection a transaction ran on closed before it could commit (a restart, a
/// failover): the server rolled the transaction back.
package struct TransactionConnectionClosed: Error, CustomStringConvertible {
  package var description: String { "the database connection closed before the transaction committed" }
}

extension PostgresClient {
  /// A transaction on a pooled connection; see `PostgresConnection.transaction`.
  package func transaction<Result: Sendable>(
    logger: Logger, isolation: isolated (any Actor)? = #isolation,
    _ body: (PostgresConnection) async throws -> sending Result
  ) async throws -> sending Result {
    try await withOpenConnection(isolation: isolation) { connection in
      try await connection.transaction(logger: logger, isolation: isolation, body)
    }
  }
}

extension PostgresConnection {
  /// BEGIN, `body`, COMMIT; ROLLBACK when `body` throws. Rethrows the closure's own error, so
  /// callers can catch their domain errors by type.
  ///
  /// Unlike PostgresNIO's `withTransaction`, it never writes to a connection that has closed:
  /// PostgresNIO never answers such a query, so a ROLLBACK sent after a restart cut the
  /// connection waited for ever (the server has rolled the transaction back already).
  package func transaction<Result: Sendable>(
    logger: Logger, isolation: isolated (any Actor)? = #isolation,
    _ body: (PostgresConnection) async throws -> sending Result
  ) async throws -> sending Result {
    try await guardedQuery("BEGIN;", logger: logger)
    let value: Result
    do {
      value = try await body(self)
    } catch {
      if !isClosed { _ = try? await guardedQuery("ROLLBACK;", logger: logger) }
      throw error
    }
    guard !isClosed else { throw TransactionConnectionClosed() }
    try await guardedQuery("COMMIT;", logger: logger)
    return value
  }
}
