import EdgeRuntime
import Foundation
import PostgresNIO
import TestSupport
import Testing

/// What the worker's retention pass removes, and what it keeps.
@Suite struct RetentionTests {
  static func pass(_ client: PostgresClient, root: URL, configuration: RetentionConfiguration = .init())
    -> (RetentionPass, LocalArtifactStore, ProjectRepositories)
  {
    let store = LocalArtifactStore(root: root.appending(path: "artifacts"))
    let repositories = ProjectRepositories(
      root: root.appending(path: "repositories"), client: client, logger: TestDatabase.logger)
    let pass = RetentionPass(
      client: client, store: store, repositories: repositories, configuration: configuration, logger: TestDatabase.logger)
    return (pass, store, repositories)
  }

  static func scratch() throws -> URL {
    let root = URL(filePath: "/tmp").appending(path: "mlops-retention-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    return root
  }

  /// Deleting a project used to leave its bundles and its git repository on disk for ever.
  @Test func aDeletedProjectsBundlesAndRepositoryAreRemoved() async throws {
    try await TestDatabase.withFreshDatabase { client, _ in
      let root = try Self.scratch()
      defer { try? FileManager.default.removeItem(at: root) }
      let (pass, store, repositories) = Self.pass(client, root: root)
      let (deleted, _) = try await Fixtures.threads(1, on: client)
      let (kept, _) = try await Fixtures.threads(1, on: client)
      for project in [deleted, kept] {
        try await store.put(
          Data("zip".utf8), at: try .bundle(projectID: project, sha256: String(repeating: "a", count: 64)))
        try FileManager.default.createDirectory(
          at: repositories.repositoryURL(project).appending(path: "refs"), withIntermediateDirectories: true)
      }
      let projects = ProjectStore(client: client, logger: TestDatabase.logger)
      guard case .done = try await projects.delete(deleted, expectedLockVersion: nil) else {
        Issue.record("the project was not deleted")
        return
      }
      let report = try await pass.run()
      #expect(report.projectsSwept == 1)
      #expect(report.bundlesRemoved == 1)
      let folder = root.appending(path: "artifacts/projects")
      #expect(!FileManager.default.fileExists(atPath: folder.appending(path: deleted.lowercaseString).path))
      #expect(FileManager.default.fileExists(atPath: folder.appending(path: kept.lowercaseString).path))
      #expect(!FileManager.default.fileExists(atPath: repositories.repositoryURL(deleted).path))
      #expect(FileManager.default.fileExists(atPath: repositories.repositoryURL(kept).path))
      #expect(try await Fixtures.count("SELECT count(*) FROM project_tombstones", on: client) == 0)
      #expect(try await pass.run().projectsSwept == 0)
    }
  }

  /// With a retention window, a deleted project's files wait for it.
  @Test func aRetentionWindowKeepsADeletedProjectsFilesUntilItEnds() async throws {
    try await TestDatabase.withFreshDatabase { client, _ in
      let root = try Self.scratch()
      defer { try? FileManager.default.removeItem(at: root) }
      var configuration = RetentionConfiguration()
      configuration.deletedProjectHours = 24
      let (pass, store, _) = Self.pass(client, root: root, configuration: configuration)
      let (project, _) = try await Fixtures.threads(1, on: client)
      try await store.put(Data("zip".utf8), at: try .bundle(projectID: project, sha256: String(repeating: "b", count: 64)))
      _ = try await ProjectStore(client: client, logger: TestDatabase.logger).delete(project, expectedLockVersion: nil)
      #expect(try await pass.run().projectsSwept == 0)
      try await client.query(
        "UPDATE project_tombstones SET deleted_at = now() - interval '25 hours'", logger: TestDatabase.logger)
      #expect(try await pass.run().bundlesRemoved == 1)
    }
  }

  /// Events and agent runs of runs finished longer ago than the retention go; a recent run's
  /// and a waiting run's stay. Old finished jobs go; live ones stay.
  @Test func oldRunHistoryAndFinishedJobsArePruned() async throws {
    try await TestDatabase.withFreshDatabase { client, _ in
      let root = try Self.scratch()
      defer { try? FileManager.default.removeItem(at: root) }
      let (pass, _, _) = Self.pass(client, root: root)
      let (project, threads) = try await Fixtures.threads(3, on: client)
      let logger = TestDatabase.logger
      // threads[0] finished 100 days ago, threads[1] finished yesterday, threads[2] waits.
      try await client.query(
        """
        UPDATE decision_sets SET status = CASE id WHEN \(threads[0]) THEN 'completed' WHEN \(threads[1]) THEN 'completed'
          ELSE 'waiting_for_approval' END,
          updated_at = CASE id WHEN \(threads[1]) THEN now() - interval '1 day' ELSE now() - interval '100 days' END
        """, logger: logger)
      for (index, thread) in threads.enumerated() {
        try await client.query(
          """
          INSERT INTO events (decision_set_id, project_id, type, payload)
          SELECT \(thread), \(project), 'reason-card', '{}' FROM generate_series(1, 3)
          """, logger: logger)
        try await client.query(
          """
          INSERT INTO agent_runs (idem_key, thread_id, project_id, node, agent, input_sha256, output)
          VALUES (\("k\(index)"), \(thread), \(project), 'planner', 'planner', 'x', '\\x00')
          """, logger: logger)
        for (state, age) in [("succeeded", "30 days"), ("dead", "30 days"), ("succeeded", "1 hour")] {
          try await client.query(
            PostgresQuery(
              unsafeSQL: """
                INSERT INTO jobs (kind, thread_id, project_id, state, idem_key, updated_at)
                VALUES ('graph', '\(thread)', '\(project)', '\(state)', '\(UUID())', now() - interval '\(age)')
                """), logger: logger)
        }
      }
      let report = try await pass.run()
      #expect(report.events == 3)
      #expect(report.agentRuns == 1)
      #expect(report.jobs == 6)
      #expect(try await Fixtures.count("SELECT count(*) FROM events WHERE decision_set_id = '\(threads[0])'", on: client) == 0)
      #expect(try await Fixtures.count("SELECT count(*) FROM events", on: client) == 6)
      #expect(try await Fixtures.count("SELECT count(*) FROM agent_runs", on: client) == 2)
      #expect(try await Fixtures.count("SELECT count(*) FROM jobs", on: client) == 3)
      // The mark moved on: the next pass finds nothing.
      #expect(try await pass.run() == RetentionPass.Report())
    }
  }
}
