import Logging
import PostgresNIO

extension PostgresClient {
  /// `withTransaction` that rethrows the closure's own error rather than PostgresNIO's
  /// wrapper, so callers can catch their domain errors by type.
  func transaction<Result: Sendable>(
    logger: Logger, _ body: (PostgresConnection) async throws -> sending Result
  ) async throws -> sending Result {
    do {
      return try await withTransaction(logger: logger, body)
    } catch let error as PostgresTransactionError {
      if let closureError = error.closureError { throw closureError }
      throw error
    }
  }
}

extension PostgresConnection {
  /// `withTransaction` that rethrows the closure's own error, as on `PostgresClient`.
  func transaction<Result: Sendable>(
    logger: Logger, _ body: (PostgresConnection) async throws -> sending Result
  ) async throws -> sending Result {
    do {
      return try await withTransaction(logger: logger, body)
    } catch let error as PostgresTransactionError {
      if let closureError = error.closureError { throw closureError }
      throw error
    }
  }
}
