import Contracts
import EdgeAPI
import EdgeRuntime
import Foundation
import PostgresNIO
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

/// `mlops` run as people run it: whole processes, real ports, the embedded PostgreSQL.
@Suite(.serialized) struct ServeTests {
  /// A brief the planner needs no follow-up questions for.
  static let completeBrief = "Fraud scoring at checkout, p95 under 80 ms, about $3k a month, PII, EU regions only."

  static func scratchDirectory() throws -> URL {
    let directory = URL(filePath: "/tmp").appending(path: "mlops-serve-test-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
  }

  @Test func serveStartsFromNothingAndKeepsDataAcrossARestart() async throws {
    let directory = try Self.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let ports = try TopologyPorts()
    var environment = ports.environment
    environment["MLOPS_DATA_DIR"] = directory.appending(path: "data").path

    let first = try MLOpsProcess(["serve"], environment: environment, workingDirectory: directory)
    let readyAfter = await HTTP.waitFor200("\(ports.baseURL)/readyz", timeout: .seconds(90)) { first.process.isRunning }
    try #require(readyAfter != nil, "serve never became ready:\n\(first.errors)")
    Swift.print("mlops serve: start to /readyz 200 from an empty data directory: \(readyAfter!)")

    // Where each service listens is printed for the person who started it.
    for (service, port) in ports.services {
      #expect(first.output.contains("grpc://127.0.0.1:\(port)"), "no listening line for \(service)")
    }
    #expect(first.output.contains("http://127.0.0.1:\(ports.http)"))

    // A token minted before the restart still verifies after it: the issuer's key is kept.
    let token = try await TestIdentity.localUserToken(dataDirectory: environment["MLOPS_DATA_DIR"]!)
    let created = try await HTTP.send(
      "POST", "\(ports.baseURL)/v1/projects", json: #"{"name": "survives restarts"}"#, token: token)
    #expect(created.status == 201)
    let id = try #require(try created.json()["id"] as? String)

    #expect(await first.terminate() == 0, "serve did not exit cleanly:\n\(first.errors)")
    let clusterPid = directory.appending(path: "data/postgres/postmaster.pid").path
    #expect(!FileManager.default.fileExists(atPath: clusterPid), "the embedded PostgreSQL was left running")

    let second = try MLOpsProcess(["serve"], environment: environment, workingDirectory: directory)
    let readyAgain = await HTTP.waitFor200("\(ports.baseURL)/readyz", timeout: .seconds(60)) { second.process.isRunning }
    try #require(readyAgain != nil, "serve did not restart:\n\(second.errors)")
    Swift.print("mlops serve: restart to /readyz 200: \(readyAgain!)")
    let fetched = try await HTTP.send("GET", "\(ports.baseURL)/v1/projects/\(id)", token: token)
    #expect(fetched.status == 200)
    #expect(try fetched.json()["name"] as? String == "survives restarts")
    #expect(await second.terminate() == 0)
  }

  @Test func servicesStartedApartMakeEdgeReady() async throws {
    try await TestDatabase.withFreshDatabase(migrated: false) { _, url in
      let directory = try Self.scratchDirectory()
      defer { try? FileManager.default.removeItem(at: directory) }
      let ports = try TopologyPorts()
      var environment = ports.environment
      environment["DATABASE_URL"] = url.connectionString
      environment["MLOPS_DATA_DIR"] = directory.appending(path: "unused").path

      let edge = try MLOpsProcess(["edge"], environment: environment, workingDirectory: directory)
      defer { kill(edge.process.processIdentifier, SIGKILL) }
      // Edge alone: up, but not ready while every downstream service is missing.
      let healthy = await HTTP.waitFor200("\(ports.baseURL)/healthz", timeout: .seconds(30)) { edge.process.isRunning }
      try #require(healthy != nil, "\(edge.errors)")
      let notReady = try await HTTP.send("GET", "\(ports.baseURL)/readyz")
      #expect(notReady.status == 503)
      #expect(try notReady.json()["failing"] as? [String] == ["codegen", "critics", "planner", "policy"])

      var services: [MLOpsProcess] = []
      for service in ServiceName.allCases {
        services.append(try MLOpsProcess([service.rawValue], environment: environment, workingDirectory: directory))
      }
      let ready = await HTTP.waitFor200("\(ports.baseURL)/readyz", timeout: .seconds(30)) { edge.process.isRunning }
      #expect(
        ready != nil,
        "edge never became ready with every service running apart:\n\(edge.errors)\n\(services.map(\.errors).joined(separator: "\n"))"
      )

      for process in services + [edge] { #expect(await process.terminate() == 0) }
    }
  }

  /// The production topology (each service its own process) and `mlops serve` generate the
  /// same repository for the same brief, answers and approval.
  @Test func servicesApartAndServeGiveTheSameBundle() async throws {
    let brief = "Fraud scoring at checkout, p95 under 80 ms, about $3k a month, PII, EU regions only, 400 requests per second."
    func bundleHash(apart: Bool) async throws -> String {
      try await TestDatabase.withFreshDatabase(migrated: false) { client, url in
        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try brief.write(to: directory.appending(path: "brief.txt"), atomically: true, encoding: .utf8)
        let ports = try TopologyPorts()
        var environment = ports.environment
        environment["DATABASE_URL"] = url.connectionString
        environment["MLOPS_DATA_DIR"] = directory.appending(path: "data").path
        environment["MLOPS_VALIDATORS"] = "secret-scan"
        let processes =
          apart
          ? try (ServiceName.allCases.map(\.rawValue) + ["edge"]).map {
            try MLOpsProcess([$0], environment: environment, workingDirectory: directory)
          }
          : [try MLOpsProcess(["serve"], environment: environment, workingDirectory: directory)]
        let ready = await HTTP.waitFor200("\(ports.baseURL)/readyz", timeout: .seconds(60)) {
          processes.allSatisfy(\.process.isRunning)
        }
        try #require(ready != nil, "\(processes.map(\.errors))")
        // Only the secret scan runs here, so the project must allow incomplete bundles.
        let dataDirectory = environment["MLOPS_DATA_DIR"]!
        let created = try await HTTP.send(
          "POST", "\(ports.baseURL)/v1/projects", json: #"{"name": "same-name", "allow_incomplete_bundles": true}"#,
          token: try await TestIdentity.localUserToken(dataDirectory: dataDirectory))
        try #require(created.status == 201, "creating the project answered \(created.status)")
        // `mlops run` mints its token with the key in the data folder, as the local user.
        let run = try MLOpsProcess(
          ["run", "--server", ports.baseURL, "--project", "same-name", "--approve", "--no-input", "brief.txt"],
          environment: ["MLOPS_DATA_DIR": dataDirectory], workingDirectory: directory)
        #expect(await run.waitForExit(timeout: .seconds(120)) == 0, "\(run.output)\n\(run.errors)")
        // Every generated file but the decision record, which holds when the review happened.
        var hash = ""
        for try await bytes in try await client.query(
          "SELECT state FROM decision_set_versions", logger: TestDatabase.logger
        )
        .decode(ByteBuffer.self) {
          let state = try Mlops_V1_DecisionState(serializedBytes: Array(bytes.readableBytesView))
          let files = state.manifest.files.filter { $0.path != "docs/decision-record.md" }
          hash = files.map { "\($0.path) \($0.sha256)" }.joined(separator: "\n")
        }
        for process in processes { #expect(await process.terminate() == 0) }
        return hash
      }
    }
    let apart = try await bundleHash(apart: true)
    let together = try await bundleHash(apart: false)
    #expect(apart.split(separator: "\n").count > 50)
    #expect(apart == together, "the same brief gives the same bundle whatever the topology")
  }

  /// `serve` killed outright (SIGKILL, a trap) cannot stop its PostgreSQL itself: a guard
  /// process does. And a cluster left running by a dead `serve` whose guard died too is
  /// adopted by the next one, which stops it when it exits.
  @Test func aKilledServeLeavesNoPostgreSQLRunning() async throws {
    let directory = try Self.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let ports = try TopologyPorts()
    var environment = ports.environment
    environment["MLOPS_DATA_DIR"] = directory.appending(path: "data").path
    let clusterPid = directory.appending(path: "data/postgres/postmaster.pid").path
    func waitForClusterToStop() async throws -> Bool {
      let deadline = ContinuousClock.now + .seconds(30)
      while ContinuousClock.now < deadline {
        if !FileManager.default.fileExists(atPath: clusterPid) { return true }
        try await Task.sleep(for: .milliseconds(100))
      }
      return false
    }

    let first = try MLOpsProcess(["serve"], environment: environment, workingDirectory: directory)
    try #require(
      await HTTP.waitFor200("\(ports.baseURL)/readyz", timeout: .seconds(90)) { first.process.isRunning } != nil,
      "\(first.errors)")
    #expect(FileManager.default.fileExists(atPath: clusterPid))
    kill(first.process.processIdentifier, SIGKILL)
    _ = await first.waitForExit(timeout: .seconds(10))
    #expect(try await waitForClusterToStop(), "the embedded PostgreSQL outlived a killed serve")

    // Killed together with its guard: the next serve adopts the cluster and stops it on exit.
    let second = try MLOpsProcess(["serve"], environment: environment, workingDirectory: directory)
    try #require(
      await HTTP.waitFor200("\(ports.baseURL)/readyz", timeout: .seconds(90)) { second.process.isRunning } != nil,
      "\(second.errors)")
    let owner = directory.appending(path: "data/postgres.owner").path
    let guardians = Process()
    guardians.executableURL = URL(fileURLWithPath: "/usr/bin/pkill")
    guardians.arguments = ["-KILL", "-f", owner]
    // The guard first: it polls its owner every second, and a slow pkill on a loaded machine
    // would otherwise find it already stopping the cluster.
    try guardians.run()
    guardians.waitUntilExit()
    #expect(guardians.terminationStatus == 0, "no guard was running beside serve")
    kill(second.process.processIdentifier, SIGKILL)
    _ = await second.waitForExit(timeout: .seconds(10))
    try await Task.sleep(for: .seconds(2))
    #expect(FileManager.default.fileExists(atPath: clusterPid), "the guard was meant to be gone with serve")
    let third = try MLOpsProcess(["serve"], environment: environment, workingDirectory: directory)
    try #require(
      await HTTP.waitFor200("\(ports.baseURL)/readyz", timeout: .seconds(90)) { third.process.isRunning } != nil,
      "\(third.errors)")
    #expect(third.errors.contains("adopting the embedded PostgreSQL"), "\(third.errors.suffix(2000))")
    #expect(await third.terminate() == 0)
    #expect(!FileManager.default.fileExists(atPath: clusterPid), "the adopted PostgreSQL was left running")
  }

  @Test func twoMigrateProcessesApplyEachMigrationOnce() async throws {
    try await TestDatabase.withFreshDatabase(migrated: false) { _, url in
      let directory = try Self.scratchDirectory()
      defer { try? FileManager.default.removeItem(at: directory) }
      let environment = ["DATABASE_URL": url.connectionString]
      let first = try MLOpsProcess(["migrate"], environment: environment, workingDirectory: directory)
      let second = try MLOpsProcess(["migrate"], environment: environment, workingDirectory: directory)
      #expect(await first.waitForExit(timeout: .seconds(60)) == 0, "\(first.errors)")
      #expect(await second.waitForExit(timeout: .seconds(60)) == 0, "\(second.errors)")
      let outputs = [first.output, second.output].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.sorted()
      let versions = try Migration.bundled().map { String($0.version) }.joined(separator: ", ")
      #expect(outputs == ["migrate: applied \(versions)", "migrate: up to date"])
    }
  }

  @Test func badConfigurationIsRefusedWithTheVariableNamed() async throws {
    let directory = try Self.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let process = try MLOpsProcess(["planner"], environment: ["MLOPS_PLANNER_ADDR": "nowhere"], workingDirectory: directory)
    #expect(await process.waitForExit(timeout: .seconds(30)) != 0)
    #expect(process.errors.contains("MLOPS_PLANNER_ADDR"))
  }
}

@Suite struct BusyPortTests {
  @Test func aBusyPortIsNamedWithTheVariableThatMovesIt() async throws {
    let directory = try ServeTests.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let ports = try TopologyPorts()
    let blocker = try ListeningSocket(port: ports.services[.policy]!)
    defer { blocker.close() }
    var environment = ports.environment
    environment["MLOPS_DATA_DIR"] = directory.appending(path: "data").path
    let serve = try MLOpsProcess(["serve"], environment: environment, workingDirectory: directory)
    #expect(await serve.waitForExit(timeout: .seconds(30)) != 0)
    #expect(serve.errors.contains("policy cannot listen on 127.0.0.1:\(ports.services[.policy]!)"))
    #expect(serve.errors.contains("MLOPS_POLICY_ADDR"))
    // It refused before touching anything: no cluster was made.
    #expect(!FileManager.default.fileExists(atPath: directory.appending(path: "data/postgres").path))
  }

  /// An address that passes the early port check but cannot be bound (an IPv6 address this
  /// machine does not have) stops `serve` with the service and the reason named. Before, the
  /// other servers were cancelled instead of drained, and a connection accepted in that moment
  /// crashed the process (2 of 12 tries: "Deinited NIOAsyncWriter without calling finish()").
  @Test func aServiceThatCannotBindStopsServeWithItsReasonNeverACrash() async throws {
    try await TestDatabase.withFreshDatabase { _, url in
      let directory = try ServeTests.scratchDirectory()
      defer { try? FileManager.default.removeItem(at: directory) }
      for attempt in 1...6 {
        let ports = try TopologyPorts()
        var environment = ports.environment
        environment["DATABASE_URL"] = url.connectionString
        environment["MLOPS_DATA_DIR"] = directory.appending(path: "data").path
        environment["MLOPS_PLANNER_ADDR"] = "[::2]:\(ports.services[.planner]!)"
        let serve = try MLOpsProcess(["serve"], environment: environment, workingDirectory: directory)
        let status = await serve.waitForExit(timeout: .seconds(60))
        try #require(
          serve.process.terminationReason == .exit && status == 1,
          "attempt \(attempt): ended by \(serve.process.terminationReason) \(status)\n\(serve.errors)")
        #expect(serve.errors.contains("planner could not serve on [::2]:\(ports.services[.planner]!)"))
      }
    }
  }
}

/// The worker inside `mlops serve` and `mlops worker` alone, against real services.
@Suite(.serialized) struct WorkerRoleTests {
  @Test func serveRunsABriefToAPublishedVersionAndARevisionShowsItsChanges() async throws {
    try await TestDatabase.withFreshDatabase(migrated: false) { client, url in
      let directory = try ServeTests.scratchDirectory()
      defer { try? FileManager.default.removeItem(at: directory) }
      let ports = try TopologyPorts()
      var environment = ports.environment
      environment["DATABASE_URL"] = url.connectionString
      environment["MLOPS_DOWNLOAD_SECRET"] = "serve-test-download-secret-0123456789"
      let serve = try MLOpsProcess(["serve"], environment: environment, workingDirectory: directory)
      let ready = await HTTP.waitFor200("\(ports.baseURL)/readyz", timeout: .seconds(60)) { serve.process.isRunning }
      try #require(ready != nil, "\(serve.errors)")

      let (project, threads) = try await Fixtures.threads(1, on: client)
      // The project is the local user's; serve's data folder is the working directory's .mlops.
      try await Fixtures.addMember(project, user: LocalIssuer.defaultUser, role: "admin", on: client)
      let token = try await TestIdentity.localUserToken(dataDirectory: directory.appending(path: ".mlops").path)
      let engine = GraphEngine(
        client: client, nodes: [], queue: JobQueue(client: client, logger: TestDatabase.logger), logger: TestDatabase.logger)
      _ = try await client.withTransaction(logger: TestDatabase.logger) { connection in
        try await engine.runs.start(
          threadID: threads[0], projectID: project, state: .with { $0.brief = ServeTests.completeBrief }, on: connection)
      }
      // Planner, critics and policy run for real up to the gate; approved, codegen, the
      // validators, the rationale and the versioned publish finish the run.
      let thread = threads[0]
      let base = "\(ports.baseURL)/v1/decision-sets/\(thread.uuidString.lowercased())"
      #expect(
        try await RuntimeProcessTests.waitUntil(1, at: "waiting_for_approval", on: client, timeout: .seconds(30)),
        "\(serve.errors.suffix(3000))")
      let cards = try await Fixtures.count("SELECT count(*) FROM events WHERE type = 'reason-card'", on: client)
      #expect(cards == 7, "intake, coverage, planner, two critics, policy and the gate each explain themselves")
      #expect(try await HTTP.send("POST", "\(base)/approve", json: #"{"status": "approved"}"#, token: token).status == 202)
      #expect(
        try await RuntimeProcessTests.waitUntil(1, at: "completed", on: client, timeout: .seconds(600)),
        "\(serve.errors.suffix(3000))")
      #expect(try await Fixtures.count("SELECT count(*) FROM events WHERE type = 'reason-card'", on: client) == 11)
      #expect(try await Fixtures.count("SELECT count(*) FROM events WHERE type = 'diff-update'", on: client) == 1)
      #expect(try await Fixtures.count("SELECT count(*) FROM decision_set_versions", on: client) == 1)
      try await Self.checkDownloads(
        baseURL: ports.baseURL, decisionSet: thread, secret: environment["MLOPS_DOWNLOAD_SECRET"]!, token: token)
      #expect(try await Fixtures.count("SELECT count(*) FROM jobs WHERE state = 'dead'", on: client) == 0)
      let noSecond = try await HTTP.send("GET", "\(base)/changes?from=1&to=2", token: token)
      #expect(noSecond.status == 404)
      #expect(try noSecond.json()["code"] as? String == "version_not_found")

      // A revision that raises the budget: a new run, the gate again, then a Change Summary.
      let revised = try await HTTP.send(
        "POST", "\(base)/revisions",
        json:
          #"{"constraint_overrides": {"monthly_budget": {"min": 5000, "max": 9000, "currency": "USD", "min_usd": 5000, "max_usd": 9000, "provenance": {"kind": "SOURCE_KIND_OVERRIDE", "confidence": 1}}}}"#,
        token: token)
      #expect(revised.status == 202, "\(String(decoding: revised.body, as: UTF8.self))")
      #expect(try revised.json()["version"] as? Int == 2)
      let again = try await HTTP.send("POST", "\(base)/revisions", json: "{}", token: token)
      #expect(again.status == 409, "one run at a time")
      #expect(
        try await RuntimeProcessTests.waitUntil(1, at: "waiting_for_approval", on: client, timeout: .seconds(30)),
        "\(serve.errors.suffix(3000))")
      #expect(try await HTTP.send("POST", "\(base)/approve", json: #"{"status": "approved"}"#, token: token).status == 202)
      #expect(
        try await RuntimeProcessTests.waitUntil(1, at: "completed", on: client, timeout: .seconds(600)),
        "\(serve.errors.suffix(3000))")

      let changes = try await HTTP.send("GET", "\(base)/changes?from=1&to=2", token: token)
      #expect(changes.status == 200, "\(String(decoding: changes.body, as: UTF8.self))")
      if let folder = ProcessInfo.processInfo.environment["MLOPS_DUMP_CHANGES"] {
        try changes.body.write(to: URL(fileURLWithPath: folder))
      }
      let summary = try changes.json()
      let cost = try #require(summary["cost"] as? [String: Any])
      #expect(cost["delta_usd"] as? Double == cost["critic_delta_usd"] as? Double, "the summary's cost delta is the critic's")
      let stateChanges = try #require(summary["state_changes"] as? [[String: Any]])
      #expect(stateChanges.contains { ($0["path"] as? String)?.hasPrefix("constraints.monthly_budget") == true })
      let files = Set((summary["files"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String })
      #expect(files.contains("reports/cost.json"))
      #expect(files.contains("reports/policy.json"), "the budget check's evidence moves with the budget")
      let components = stateChanges.contains {
        let path = $0["path"] as? String ?? ""
        return path.hasPrefix("plan.components") || path.hasPrefix("plan.summary")
      }
      #expect(!components, "raising the budget keeps these components: \(stateChanges.map { $0["path"] ?? "" })")
      if !components {
        // The same components: what the budget does not touch stays as it was.
        for unrelated in ["docs/architecture.md", "docs/runbook.md", "docs/README.md", "reports/index.md"] {
          #expect(!files.contains(unrelated), "\(unrelated) changed though the plan did not: \(files.sorted())")
        }
      }
      #expect((summary["unified_diff"] as? String)?.contains("diff --git a/reports/cost.json b/reports/cost.json") == true)
      #expect(try await Fixtures.count("SELECT count(*) FROM decision_set_versions", on: client) == 2)

      let health = try await HTTP.send("GET", "\(ports.baseURL)/healthz/worker").json()
      let counters = try #require(health["counters"] as? [String: Int])
      #expect(counters["claimed"] == 4, "two segments a version: up to the gate, and after approval")
      #expect(counters["dead"] == 0)
      #expect((health["queue"] as? [String: Int])?["ready"] == 0)
      #expect(await serve.terminate() == 0)
    }
  }

  @Test func workerAloneServesItsHealthAndStopsOnSigterm() async throws {
    try await TestDatabase.withFreshDatabase(migrated: false) { client, url in
      let directory = try ServeTests.scratchDirectory()
      defer { try? FileManager.default.removeItem(at: directory) }
      let port = try FreePort.find()
      let worker = try MLOpsProcess(
        ["worker"], environment: ["DATABASE_URL": url.connectionString, "MLOPS_WORKER_PORT": "\(port)"],
        workingDirectory: directory)
      let healthy = await HTTP.waitFor200("http://127.0.0.1:\(port)/healthz/worker", timeout: .seconds(30)) {
        worker.process.isRunning
      }
      try #require(healthy != nil, "\(worker.errors)")
      let report = try await HTTP.send("GET", "http://127.0.0.1:\(port)/healthz/worker").json()
      #expect((report["counters"] as? [String: Int])?["claimed"] == 0)
      #expect(report["stopping"] as? Bool == false)
      #expect(worker.output.contains("/healthz/worker"))
      // It migrated the database before claiming anything.
      #expect(try await Fixtures.count("SELECT count(*) FROM schema_migrations", on: client) == (try Migration.bundled().count))
      #expect(await worker.terminate() == 0)
    }
  }

  /// The published bundle is listed with a signed link that downloads it; a tampered or
  /// expired link gets 403.
  static func checkDownloads(baseURL: String, decisionSet: UUID, secret: String, token: String) async throws {
    let artifactsURL = "\(baseURL)/v1/decision-sets/\(decisionSet.uuidString.lowercased())/artifacts"
    #expect(try await HTTP.send("GET", artifactsURL).status == 401, "links go only to callers with a token")
    let listing = try await HTTP.send("GET", artifactsURL, token: token)
    #expect(listing.status == 200)
    let artifacts = try #require(try listing.json()["artifacts"] as? [[String: Any]])
    #expect(artifacts.count == 1)
    let bundle = try #require(artifacts.first)
    #expect(bundle["status"] as? String == "stored")
    let link = try #require(bundle["download_url"] as? String)
    let download = try await HTTP.send("GET", link)
    #expect(download.status == 200)
    let files = try BundleArchive.read(download.body)
    #expect(files.contains { $0.path == "manifest.json" })
    #expect(files.contains { $0.path == "reports/validators.json" })
    #expect(files.contains { $0.path == "services/inference/app/main.py" })
    #expect(download.body.count == bundle["size_bytes"] as? Int)

    let tampered = link.replacingOccurrences(of: "signature=", with: "signature=0").dropLast()
    let refused = try await HTTP.send("GET", String(tampered))
    #expect(refused.status == 403)
    #expect(try refused.json()["code"] as? String == "download_refused")
    let key = try ArtifactKey(bundle["key"] as? String ?? "")
    let signer = DownloadSigner(secret: Data(secret.utf8))
    let expired = signer.link(for: key, expires: Date().addingTimeInterval(-5), by: LocalIssuer.defaultUser)
    let late = try await HTTP.send("GET", baseURL + expired)
    #expect(late.status == 403)
    #expect(try late.json()["detail"] as? String == "the link has expired")
    let fresh = signer.link(for: key, expires: Date().addingTimeInterval(60), by: LocalIssuer.defaultUser)
    #expect(try await HTTP.send("GET", baseURL + fresh).status == 200, "the same secret signs a working link")
  }
}
