import Logging
import PostgresNIO

/// Applies migrations in version order, each in its own transaction, recording them in
/// `schema_migrations`. A session advisory lock serialises processes that start together,
/// so each migration is applied exactly once.
package struct Migrator: Sendable {
  /// The advisory lock key: "mlops" as a number; any constant shared by every process works.
  static let lockKey: Int64 = 0x6d6c_6f70_73

  package let migrations: [Migration]
  private let client: PostgresClient
  private let logger: Logger

  package init(client: PostgresClient, migrations: [Migration], logger: Logger) {
    self.client = client
    self.migrations = migrations
    self.logger = logger
  }

  package enum MigrationError: Error, CustomStringConvertible {
    case changedAfterApplying(version: Int, name: String)
    case unknownVersionApplied(Int)

    package var description: String {
      switch self {
      case .changedAfterApplying(let version, let name):
        "migration \(version) (\(name)) was edited after it was applied; add a new migration instead"
      case .unknownVersionApplied(let version):
        "the database has migration \(version) applied, which this build does not know; run a newer build"
      }
    }
  }

  /// Applies what is pending and returns the versions it applied (empty when up to date).
  @discardableResult
  package func migrate() async throws -> [Int] {
    try await client.withOpenConnection { connection in
      try await connection.guardedQuery("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger)
      do {
        let applied = try await applyPending(on: connection)
        try await connection.guardedQuery("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
        return applied
      } catch {
        _ = try? await connection.guardedQuery("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
        throw error
      }
    }
  }

  /// Versions not yet applied; an empty list means the schema is current.
  package func pendingVersions() async throws -> [Int] {
    let exists = try await client.guardedQuery("SELECT to_regclass('schema_migrations') IS NOT NULL", logger: logger)
    var tableExists = false
    for try await (flag) in exists.decode(Bool.self) { tableExists = flag }
    guard tableExists else { return migrations.map(\.version) }
    let applied = try await appliedChecksums(
      client.guardedQuery("SELECT version, checksum FROM schema_migrations", logger: logger))
    return migrations.map(\.version).filter { applied[$0] == nil }
  }

  private func applyPending(on connection: PostgresConnection) async throws -> [Int] {
    try await connection.guardedQuery(
      """
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )
      """, logger: logger)
    let applied = try await appliedChecksums(
      connection.guardedQuery("SELECT version, checksum FROM schema_migrations", logger: logger))
    let known = Set(migrations.map(\.version))
    if let unknown = applied.keys.sorted().first(where: { !known.contains($0) }) {
      throw MigrationError.unknownVersionApplied(unknown)
    }

    var appliedNow: [Int] = []
    for migration in migrations {
      if let checksum = applied[migration.version] {
        guard checksum == migration.checksum else {
          throw MigrationError.changedAfterApplying(version: migration.version, name: migration.name)
        }
        continue
      }
      try await connection.transaction(logger: logger) { transaction in
        for statement in SQLStatementSplitter.split(migration.sql) {
          try await transaction.guardedQuery(PostgresQuery(unsafeSQL: statement), logger: logger)
        }
        try await transaction.guardedQuery(
          """
          INSERT INTO schema_migrations (version, name, checksum)
          VALUES (\(migration.version), \(migration.name), \(migration.checksum))
          """, logger: logger)
      }
      logger.info("applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
      appliedNow.append(migration.version)
    }
    return appliedNow
  }

  private func appliedChecksums(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> [Int: String] {
    var applied: [Int: String] = [:]
    for try await (version, checksum) in rows.decode((Int, String).self) { applied[version] = checksum }
    return applied
  }
}
