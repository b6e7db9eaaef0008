import EdgeAPI
import EdgeRuntime
import Foundation
import Logging
import PostgresNIO

/// A fresh, empty database on the throwaway server that `scripts/test` starts
/// (`MLOPS_TEST_DATABASE_URL`), so tests never see each other's rows.
package struct TestDatabase {
  package struct ServerMissing: Error, CustomStringConvertible {
    package var description: String {
      "MLOPS_TEST_DATABASE_URL is not set: run the tests with scripts/test, which starts a throwaway PostgreSQL"
    }
  }

  package static let logger = Logger(label: "test")

  package static func serverURL() throws -> DatabaseURL {
    guard let text = ProcessInfo.processInfo.environment["MLOPS_TEST_DATABASE_URL"], !text.isEmpty else {
      throw ServerMissing()
    }
    return try DatabaseURL(parsing: text)
  }

  /// Creates a database with a random name, runs `body` with a running client for it, drops it.
  package static func withFreshDatabase<T: Sendable>(
    migrated: Bool = true,
    _ body: @Sendable (PostgresClient, DatabaseURL) async throws -> T
  ) async throws -> T {
    let server = try serverURL()
    let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    try await withClient(server) { admin in
      try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
    }
    var database = server
    database.database = name
    let url = database
    do {
      let result = try await withClient(url) { client in
        if migrated {
          try await Migrator(client: client, migrations: try Migration.bundled(), logger: logger).migrate()
        }
        return try await body(client, url)
      }
      try await drop(name, on: server)
      return result
    } catch {
      try? await drop(name, on: server)
      throw error
    }
  }

  @discardableResult
  package static func withClient<T: Sendable>(
    _ url: DatabaseURL, _ body: @Sendable (PostgresClient) async throws -> T
  ) async throws -> T {
    try await url.withRunningClient(logger: logger, body)
  }

  private static func drop(_ name: String, on server: DatabaseURL) async throws {
    try await withClient(server) { admin in
      try await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
    }
  }
}
