import EdgeAPI
import EdgeRuntime
import Foundation
import Hummingbird
import HummingbirdTesting
import ServiceKit
import TestSupport
import Testing

@Suite struct ReadinessTests {
  @Test func notReadyNamesTheDownstreamServiceThatDoesNotAnswer() async throws {
    try await TestDatabase.withFreshDatabase { database, _ in
      let closedPort = try FreePort.find()
      let planner = try GRPCServiceClient(
        service: .planner, address: ServiceAddress(host: "127.0.0.1", port: closedPort), tls: nil)
      try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await planner.run() }
        defer { group.cancelAll() }
        let migrator = Migrator(client: database, migrations: try Migration.bundled(), logger: TestDatabase.logger)
        let router = try EdgeApplication.makeRouter(
          configuration: .defaults, database: database, migrator: migrator, downstream: [planner],
          buildInfo: BuildInfo(version: "t", gitCommit: "t", protoSHA256: "t"), logger: TestDatabase.logger)
        try await Application(router: router).test(.router) { client in
          try await client.execute(uri: "/readyz", method: .get) { response in
            #expect(response.status == .serviceUnavailable)
            let report = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            #expect(report["ready"] as? Bool == false)
            #expect(report["failing"] as? [String] == ["planner"])
            let checks = try #require(report["checks"] as? [String: String])
            #expect(checks["database"] == "ok")
            #expect(checks["planner"]?.contains("127.0.0.1:\(closedPort)") == true)
          }
          try await client.execute(uri: "/healthz", method: .get) { response in
            #expect(response.status == .ok)
          }
        }
      }
    }
  }

  @Test func pendingMigrationsMakeItNotReady() async throws {
    try await TestDatabase.withFreshDatabase(migrated: false) { database, _ in
      let migrator = Migrator(client: database, migrations: try Migration.bundled(), logger: TestDatabase.logger)
      // A connection opened before the probe's 2 s deadline starts: on a loaded machine the
      // first connection alone can take longer, and this test is about migrations.
      _ = try await migrator.pendingVersions()
      let router = try EdgeApplication.makeRouter(
        configuration: .defaults, database: database, migrator: migrator, downstream: [],
        buildInfo: BuildInfo(version: "t", gitCommit: "t", protoSHA256: "t"), logger: TestDatabase.logger)
      try await Application(router: router).test(.router) { client in
        try await client.execute(uri: "/readyz", method: .get) { response in
          #expect(response.status == .serviceUnavailable)
          #expect(String(buffer: response.body).contains("migrations pending: 1"))
        }
        try await migrator.migrate()
        try await client.execute(uri: "/readyz", method: .get) { response in
          #expect(response.status == .ok)
        }
      }
    }
  }

  @Test func versionReportsTheProtoHash() async throws {
    try await TestDatabase.withFreshDatabase { database, _ in
      let migrator = Migrator(client: database, migrations: try Migration.bundled(), logger: TestDatabase.logger)
      let info = BuildInfo(version: "1.2.3", gitCommit: "abc", protoSHA256: "def")
      let router = try EdgeApplication.makeRouter(
        configuration: .defaults, database: database, migrator: migrator, downstream: [], buildInfo: info,
        logger: TestDatabase.logger)
      try await Application(router: router).test(.router) { client in
        try await client.execute(uri: "/version", method: .get) { response in
          let body = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: String])
          #expect(body == ["version": "1.2.3", "git_commit": "abc", "proto_sha256": "def"])
        }
      }
    }
  }
}
