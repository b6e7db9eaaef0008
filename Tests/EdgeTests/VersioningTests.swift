import Contracts
import EdgeAPI
import EdgeRuntime
import Foundation
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@Suite struct StateDiffTests {
  @Test func reportsChangedFieldsAndIgnoresIdsStatusCardsAndDurations() throws {
    var old = Mlops_V1_DecisionState()
    old.decisionSetID = "a"
    old.status = .completed
    old.constraints.latencyP95Ms.value = 80
    old.cost.monthlyUsd = 100
    old.plan.components = [
      .with {
        $0.id = "serve"; $0.option = "ecs_fargate_service"
      }
    ]
    old.validation.results = [
      .with {
        $0.tool = "mypy"; $0.durationMs = 10
      }
    ]
    old.reasonCards = [.with { $0.choice = "x" }]
    var new = old
    new.decisionSetID = "b"
    new.status = .running
    new.version = 2
    new.constraints.latencyP95Ms.value = 60
    new.cost.monthlyUsd = 150
    new.plan.components.append(
      .with {
        $0.id = "feature"; $0.option = "elasticache_redis"
      })
    new.validation.results[0].durationMs = 99
    new.reasonCards.append(.with { $0.choice = "y" })
    let changes = try StateDiff.changes(from: old, to: new)
    #expect(
      changes == [
        .init(path: "constraints.latency_p95_ms.value", op: .replace, before: "80", after: "60"),
        .init(path: "cost.monthly_usd", op: .replace, before: "100", after: "150"),
        .init(path: "plan.components[1].id", op: .add, before: nil, after: "feature"),
        .init(path: "plan.components[1].option", op: .add, before: nil, after: "elasticache_redis"),
      ])
    #expect(try StateDiff.changes(from: old, to: old).isEmpty)
  }
}

@Suite struct RationaleExportTests {
  @Test func theExportMatchesItsSchema() throws {
    let cards: [Mlops_V1_ReasonCard] = [
      .with {
        $0.agent = "planner"; $0.node = "planner"; $0.choice = "ecs"; $0.confidence = 0.8
        $0.candidates = [
          .with {
            $0.option = "serve/ecs"; $0.score = 0.8; $0.chosen = true; $0.reasons = ["fits"]
          }
        ]
        $0.provider = .with {
          $0.name = "deterministic"; $0.model = "rules-v1"
        }
      },
      .with {
        $0.agent = "gate"; $0.node = "gate_hitl"; $0.choice = "wait"; $0.confidence = 1; $0.quotedComments = ["ok"]
      },
    ]
    let folder = FileManager.default.temporaryDirectory.appending(path: "mlops-rationale-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    try RationaleExport.json(cards, decisionSetID: UUID().uuidString.lowercased(), version: 1).write(
      to: folder.appending(path: "rationale.json"))
    try RationaleExport.schema().write(to: folder.appending(path: "schema.json"))
    var bad =
      try JSONSerialization.jsonObject(with: RationaleExport.json(cards, decisionSetID: "x", version: 0)) as! [String: Any]
    bad["cards"] = [["node": "nowhere"]]
    try JSONSerialization.data(withJSONObject: bad).write(to: folder.appending(path: "bad.json"))
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let checker = root.appending(path: ".venv/bin/check-jsonschema").path
    try #require(FileManager.default.isExecutableFile(atPath: checker), "scripts/bootstrap installs check-jsonschema")
    func check(_ file: String) throws -> Int32 {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: checker)
      process.arguments = ["--schemafile", folder.appending(path: "schema.json").path, folder.appending(path: file).path]
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      try process.run()
      process.waitUntilExit()
      return process.terminationStatus
    }
    #expect(try check("rationale.json") == 0)
    #expect(try check("bad.json") != 0, "the schema refuses what it should")
    let markdown = String(decoding: RationaleExport.markdown(cards, version: 1), as: UTF8.self)
    #expect(markdown.contains("## 1. planner (planner)"))
    #expect(markdown.contains("> ok"))
  }
}

@Suite struct ProjectRepositoriesTests {
  @Test func versionsAreCommitsWithTagsAndARetryChangesNothing() async throws {
    try await TestDatabase.withFreshDatabase { client, _ in
      let root = FileManager.default.temporaryDirectory.appending(path: "mlops-repos-\(UUID().uuidString.prefix(8))")
      defer { try? FileManager.default.removeItem(at: root) }
      let repositories = ProjectRepositories(root: root, client: client, logger: TestDatabase.logger)
      let (project, set) = (UUID(), UUID())
      let v1: [ProjectRepositories.File] = [
        .init(path: "plan.json", contents: Data("{\"a\": 1}\n".utf8)), .init(path: "docs/x.md", contents: Data("same\n".utf8)),
      ]
      let first = try await repositories.commit(projectID: project, decisionSetID: set, version: 1, files: v1, message: "v1")
      #expect(
        try await repositories.commit(projectID: project, decisionSetID: set, version: 1, files: v1, message: "v1") == first)
      var v2 = v1
      v2[0].contents = Data("{\"a\": 2}\n".utf8)
      v2.append(.init(path: "reports/new.json", contents: Data("{}\n".utf8)))
      // Two commits to one project at once are serialised by the project's lock.
      async let other = repositories.commit(
        projectID: project, decisionSetID: UUID(), version: 1, files: v1, message: "another decision set")
      let second = try await repositories.commit(projectID: project, decisionSetID: set, version: 2, files: v2, message: "v2")
      _ = try await other
      #expect(second != first)
      let diff = try await repositories.diff(projectID: project, decisionSetID: set, from: 1, to: 2)
      #expect(diff.paths.map { "\($0.0) \($0.1)" } == ["M plan.json", "A reports/new.json"])
      #expect(diff.unified.contains("-{\"a\": 1}"))
      #expect(diff.unified.contains("+{\"a\": 2}"))
      #expect(try await repositories.hasVersion(projectID: project, decisionSetID: set, version: 2))
      #expect(try await !repositories.hasVersion(projectID: project, decisionSetID: set, version: 3))
    }
  }

  /// A git killed mid-update leaves its ref's lock file behind; the next commit of the project
  /// must not fail on it (the project's advisory lock says nobody else is writing).
  @Test func aLockLeftByAKilledGitDoesNotBlockTheNextCommit() async throws {
    try await TestDatabase.withFreshDatabase { client, _ in
      let root = FileManager.default.temporaryDirectory.appending(path: "mlops-repos-\(UUID().uuidString.prefix(8))")
      defer { try? FileManager.default.removeItem(at: root) }
      let repositories = ProjectRepositories(root: root, client: client, logger: TestDatabase.logger)
      let (project, set) = (UUID(), UUID())
      let files: [ProjectRepositories.File] = [.init(path: "plan.json", contents: Data("{}\n".utf8))]
      _ = try await repositories.commit(projectID: project, decisionSetID: set, version: 1, files: files, message: "v1")
      let repository = root.appending(path: "\(project.lowercaseString).git")
      let branchLock = repository.appending(path: "refs/heads/ds/\(set.lowercaseString).lock")
      try Data().write(to: branchLock)
      try Data().write(to: repository.appending(path: "packed-refs.lock"))
      var changed = files
      changed[0].contents = Data("{\"v\": 2}\n".utf8)
      let second = try await repositories.commit(
        projectID: project, decisionSetID: set, version: 2, files: changed, message: "v2")
      #expect(try await repositories.hasVersion(projectID: project, decisionSetID: set, version: 2))
      let branch = try await CommandRunner.run(
        ["git", "--git-dir", repository.path, "rev-parse", "refs/heads/ds/\(set.lowercaseString)"]
      ).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
      #expect(branch == second, "the branch and the version's tag moved together")
      #expect(!FileManager.default.fileExists(atPath: branchLock.path))
    }
  }

  /// The API and the worker on different machines (`MLOPS_REPOSITORIES=database`): each has its
  /// own folder, and what one commits the other reads, through the log in PostgreSQL.
  @Test func aVersionCommittedOnOneMachineIsReadOnAnother() async throws {
    try await TestDatabase.withFreshDatabase { client, _ in
      let base = FileManager.default.temporaryDirectory.appending(path: "mlops-shared-\(UUID().uuidString.prefix(8))")
      defer { try? FileManager.default.removeItem(at: base) }
      let worker = ProjectRepositories(
        root: base.appending(path: "worker"), client: client, logger: TestDatabase.logger, shared: true)
      let api = ProjectRepositories(root: base.appending(path: "api"), client: client, logger: TestDatabase.logger, shared: true)
      let (project, set) = (UUID(), UUID())
      try await client.query("INSERT INTO projects (id, name) VALUES (\(project), 'shared')", logger: TestDatabase.logger)
      var files: [ProjectRepositories.File] = [.init(path: "plan.json", contents: Data("{\"a\": 1}\n".utf8))]
      let first = try await worker.commit(projectID: project, decisionSetID: set, version: 1, files: files, message: "v1")
      files[0].contents = Data("{\"a\": 2}\n".utf8)
      files.append(.init(path: "docs/new.md", contents: Data("new\n".utf8)))
      _ = try await worker.commit(projectID: project, decisionSetID: set, version: 2, files: files, message: "v2")

      #expect(try await api.hasVersion(projectID: project, decisionSetID: set, version: 2))
      #expect(try await !api.hasVersion(projectID: project, decisionSetID: set, version: 3))
      let diff = try await api.diff(projectID: project, decisionSetID: set, from: 1, to: 2)
      #expect(diff.paths.map { "\($0.0) \($0.1)" } == ["A docs/new.md", "M plan.json"])

      // A fresh machine (an empty cache) retrying version 1 gets the same commit, and the
      // log keeps one entry per version, each holding only what its commit added.
      let fresh = ProjectRepositories(
        root: base.appending(path: "fresh"), client: client, logger: TestDatabase.logger, shared: true)
      #expect(try await fresh.commit(projectID: project, decisionSetID: set, version: 1, files: [], message: "retry") == first)
      let rows = try await client.query(
        "SELECT seq, tag, length(bundle) FROM project_git_bundles WHERE project_id = \(project) ORDER BY seq",
        logger: TestDatabase.logger)
      var log: [(Int, String, Int)] = []
      for try await row in rows.decode((Int, String, Int).self) { log.append(row) }
      #expect(log.map(\.0) == [1, 2])
      #expect(
        log.map(\.1) == [
          ProjectRepositories.tag(decisionSetID: set, version: 1), ProjectRepositories.tag(decisionSetID: set, version: 2),
        ])

      // A damaged entry is refused, never applied.
      try await client.query(
        "UPDATE project_git_bundles SET bundle = bundle || '\\x00'::bytea WHERE project_id = \(project) AND seq = 2",
        logger: TestDatabase.logger)
      let damaged = ProjectRepositories(
        root: base.appending(path: "damaged"), client: client, logger: TestDatabase.logger, shared: true)
      await #expect(throws: RepositoryLog.Corrupt.self) {
        _ = try await damaged.hasVersion(projectID: project, decisionSetID: set, version: 2)
      }
    }
  }
}
