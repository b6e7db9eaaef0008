import Logging
import PostgresNIO

extension DatabaseURL {
  /// Runs a `PostgresClient` for this database for as long as `body` runs, for commands and
  /// tools that are not themselves a ServiceLifecycle service.
  @discardableResult
  package func withRunningClient<T: Sendable>(
    logger: Logger, maximumConnections: Int? = nil, _ body: @Sendable (PostgresClient) async throws -> T
  ) async throws -> T {
    var configuration = clientConfiguration
    if let maximumConnections { configuration.options.maximumConnections = maximumConnections }
    let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
    return try await withThrowingTaskGroup(of: T?.self) { group in
      group.addTask {
        await client.run()
        return nil
      }
      defer { group.cancelAll() }
      return try await body(client)
    }
  }
}
