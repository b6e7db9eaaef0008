import EdgeAPI
import EdgeRuntime
import Foundation
import PostgresNIO
import TestSupport
import Testing

@Suite struct MigratorTests {
  @Test func appliesEverythingOnceOnAnEmptyDatabase() async throws {
    try await TestDatabase.withFreshDatabase(migrated: false) { client, _ in
      let migrator = Migrator(client: client, migrations: try Migration.bundled(), logger: TestDatabase.logger)
      #expect(try await migrator.pendingVersions() == (try Migration.bundled().map(\.version).sorted()))
      #expect(try await migrator.migrate() == (try Migration.bundled().map(\.version).sorted()))
      #expect(try await migrator.migrate() == [])
      #expect(try await migrator.pendingVersions() == [])

      var tables: [String] = []
      let rows = try await client.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
        logger: TestDatabase.logger)
      for try await name in rows.decode(String.self) { tables.append(name) }
      #expect(
        tables.sorted() == [
          "access_tokens", "agent_runs", "approvals", "artifacts", "audit_events", "checkpoints", "console_codes",
          "console_sessions", "decision_set_versions", "decision_sets", "events", "idempotency_keys", "jobs",
          "maintenance_marks", "policy_waivers", "project_budgets", "project_gate_rules", "project_git_bundles",
          "project_members", "project_tombstones", "project_usage", "projects", "rate_limit_buckets", "schema_migrations",
          "stream_leases",
        ])
    }
  }

  @Test func concurrentMigratorsApplyEachMigrationOnce() async throws {
    try await TestDatabase.withFreshDatabase(migrated: false) { _, url in
      // Separate clients hold separate sessions, as separate processes would.
      let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
        for _ in 0..<4 {
          group.addTask {
            try await TestDatabase.withClient(url) { client in
              try await Migrator(client: client, migrations: try Migration.bundled(), logger: TestDatabase.logger).migrate()
            }
          }
        }
        return try await group.reduce(into: []) { $0 += $1 }
      }
      let versions = try Migration.bundled().map(\.version).sorted()
      #expect(applied.sorted() == versions, "each migration applied once, by one of the four")
      try await TestDatabase.withClient(url) { client in
        let rows = try await client.query("SELECT count(*) FROM schema_migrations", logger: TestDatabase.logger)
        for try await count in rows.decode(Int.self) { #expect(count == versions.count) }
      }
    }
  }

  @Test func migrationsAreAppliedInVersionOrderInOneTransactionEach() async throws {
    let folder = FileManager.default.temporaryDirectory.appending(path: "migrations-\(UUID())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    try "CREATE TABLE t (x int); INSERT INTO t VALUES (1);".write(
      to: folder.appending(path: "0001_first.sql"), atomically: true, encoding: .utf8)
    try "INSERT INTO t VALUES (2); INSERT INTO missing_table VALUES (3);".write(
      to: folder.appending(path: "0002_broken.sql"), atomically: true, encoding: .utf8)
    let migrations = try Migration.load(from: folder)
    #expect(migrations.map(\.version) == [1, 2])

    try await TestDatabase.withFreshDatabase(migrated: false) { client, _ in
      let migrator = Migrator(client: client, migrations: migrations, logger: TestDatabase.logger)
      await #expect(throws: (any Error).self) { try await migrator.migrate() }
      // The first landed; the broken second rolled back whole, its first insert included.
      #expect(try await migrator.pendingVersions() == [2])
      let rows = try await client.query("SELECT x FROM t ORDER BY x", logger: TestDatabase.logger)
      var values: [Int] = []
      for try await x in rows.decode(Int.self) { values.append(x) }
      #expect(values == [1])
    }
  }

  @Test func anEditedLandedMigrationIsRefused() async throws {
    try await TestDatabase.withFreshDatabase(migrated: true) { client, _ in
      var edited = try Migration.bundled()
      edited[0].sql += "\n-- edited"
      let migrator = Migrator(client: client, migrations: edited, logger: TestDatabase.logger)
      await #expect(throws: Migrator.MigrationError.self) { try await migrator.migrate() }
    }
  }

  @Test func badMigrationFileNamesAreRejected() throws {
    let folder = FileManager.default.temporaryDirectory.appending(path: "migrations-\(UUID())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    try "SELECT 1".write(to: folder.appending(path: "first.sql"), atomically: true, encoding: .utf8)
    #expect(throws: Migration.InvalidName.self) { try Migration.load(from: folder) }
  }
}
