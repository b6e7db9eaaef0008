import Logging
import PostgresNIO

extension PostgresClient {
  /// `withTransaction` that rethrows the closure's own error rather than PostgresNIO's
  /// wrapper, so callers can catch their domain errors by type.
  func transaction<Result: Sendable>(
    logger: Logger, _ body: (PostgresConnection) async throws -> sending Result
  ) async throws -> sending Result {
    try await unwrappingTransactionError { try await withTransaction(logger: logger, body) }
  }
}

extension PostgresConnection {
  /// `withTransaction` that rethrows the closure's own error, as on `PostgresClient`.
  func transaction<Result: Sendable>(
    logger: Logger, _ body: (PostgresConnection) async throws -> sending Result
  ) async throws -> sending Result {
    try await unwrappingTransactionError { try await withTransaction(logger: logger, body) }
  }
}

private func unwrappingTransactionError<Result>(
  _ transaction: () async throws -> sending Result
) async throws -> sending Result {
  do {
    return try await transaction()
  } catch let error as PostgresTransactionError {
    if let closureError = error.closureError { throw closureError }
    throw error
  }
}
