import Logging
import PostgresNIO
import ServiceKit

/// The database a process uses: the server `DATABASE_URL` names, or the embedded cluster
/// under the data directory, started here when it is not already running.
package struct PreparedDatabase: Sendable {
  package var url: DatabaseURL
  package var embedded: EmbeddedPostgres?
  /// True when this process started the embedded server and so stops it on the way out.
  package var stopOnRelease: Bool

  /// Stops the embedded server if this process started it; a no-op otherwise.
  package func release(logger: Logger) async {
    guard stopOnRelease, let embedded else { return }
    do {
      try await embedded.stop()
    } catch {
      logger.warning("could not stop the embedded PostgreSQL", metadata: ["error": "\(error)"])
    }
  }
}

package enum DatabaseBootstrap {
  package static func prepare(configuration: Configuration, logger: Logger) async throws -> PreparedDatabase {
    if let text = configuration.databaseURL {
      let url = try DatabaseURL(parsing: text, password: configuration.databasePassword)
      logger.info("using the database in DATABASE_URL", metadata: ["database": "\(url.redacted)"])
      return PreparedDatabase(url: url, embedded: nil, stopOnRelease: false)
    }
    let embedded = EmbeddedPostgres(
      dataDirectory: configuration.dataDirectory, binaries: try PostgresBinaries.locate(), logger: logger)
    let started = try await embedded.start()
    return PreparedDatabase(url: started.url, embedded: embedded, stopOnRelease: started.startedHere)
  }

  /// Runs `body` with a client of the configured database (starting the embedded one when
  /// needed), and releases the database afterwards whether `body` succeeded or not: for
  /// commands that use the database and exit.
  package static func withDatabase<T: Sendable>(
    configuration: Configuration, logger: Logger, _ body: @Sendable (PostgresClient) async throws -> T
  ) async throws -> T {
    let database = try await prepare(configuration: configuration, logger: logger)
    do {
      let result = try await database.url.withRunningClient(logger: logger) { try await body($0) }
      await database.release(logger: logger)
      return result
    } catch {
      await database.release(logger: logger)
      throw error
    }
  }
}
