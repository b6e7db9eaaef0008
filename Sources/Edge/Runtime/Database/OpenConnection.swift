import PostgresNIO

/// Every connection the pool lent for a second was closed (the database keeps restarting).
package struct NoOpenConnection: Error, CustomStringConvertible {
  package var description: String { "the database pool lent only closed connections for a second" }
}

extension PostgresClient {
  /// `withConnection`, but never lending a connection that has closed. After a database
  /// restart the pool hands out a connection whose channel is already closed for a moment
  /// (until it hears of the close), and PostgresNIO never answers a query written to it: the
  /// caller would wait for ever. Such a lease is given back and another taken.
  package func withOpenConnection<Result: Sendable>(
    isolation: isolated (any Actor)? = #isolation, _ body: (PostgresConnection) async throws -> sending Result
  ) async throws -> sending Result {
    var attempt = 0
    while true {
      attempt += 1
      let leased = try await withConnection(isolation: isolation) { connection -> Result? in
        guard !connection.isClosed else { return nil }
        return try await body(connection)
      }
      if let leased { return leased }
      guard attempt < 50 else { throw NoOpenConnection() }
      try await Task.sleep(for: .milliseconds(20))
    }
  }
}
