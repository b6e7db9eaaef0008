import EdgeAPI
import EdgeRuntime
import Foundation
import PostgresNIO
import TestSupport
import Testing

/// The durable runtime across real worker processes: contention, and a worker killed mid-step.
@Suite(.serialized) struct RuntimeProcessTests {
  static func startRuns(_ count: Int, on client: PostgresClient) async throws -> [UUID] {
    try await client.query(PostgresQuery(unsafeSQL: TestNodeBook.effectsTable), logger: TestDatabase.logger)
    let (project, threads) = try await Fixtures.threads(count, on: client)
    let engine = GraphEngine(
      client: client, nodes: [], queue: JobQueue(client: client, logger: TestDatabase.logger), logger: TestDatabase.logger)
    for thread in threads {
      _ = try await client.withTransaction(logger: TestDatabase.logger) { connection in
        try await engine.runs.start(threadID: thread, projectID: project, state: .with { $0.brief = "b" }, on: connection)
      }
    }
    return threads
  }

  static func waitUntil(
    _ count: Int, at status: String, on client: PostgresClient, timeout: Duration
  ) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
      let reached = try await Fixtures.count(
        "SELECT count(*) FROM decision_sets WHERE status = '\(status)'", on: client)
      if reached == count { return true }
      try await Task.sleep(for: .milliseconds(200))
    }
    return false
  }

  @Test func threeWorkerProcessesRunFiveHundredRunsEachStepOnce() async throws {
    try await TestDatabase.withFreshDatabase { client, url in
      let directory = try ServeTests.scratchDirectory()
      defer { try? FileManager.default.removeItem(at: directory) }
      let threads = try await Self.startRuns(500, on: client)
      let workers = try (1...3).map { index in
        try MLOpsProcess(
          ["--concurrency", "4", "--owner", "worker-\(index)"], environment: ["DATABASE_URL": url.connectionString],
          workingDirectory: directory, binary: MLOpsProcess.testWorkerBinary)
      }
      let finished = try await Self.waitUntil(threads.count, at: "waiting_for_approval", on: client, timeout: .seconds(240))
      for worker in workers { #expect(await worker.terminate() == 0, "\(worker.errors.suffix(2000))") }
      #expect(finished, "not every run reached its gate")

      // Seven steps per run to the gate, each exactly once: the side-effect table's unique key
      // would have refused a second commit, so count them per (thread, node) as well.
      #expect(try await Fixtures.count("SELECT count(*) FROM step_effects", on: client) == 500 * 7)
      #expect(
        try await Fixtures.count(
          "SELECT count(*) FROM (SELECT thread_id, node FROM step_effects GROUP BY 1, 2 HAVING count(*) > 1) AS doubled",
          on: client) == 0)
      #expect(try await Fixtures.count("SELECT count(*) FROM jobs WHERE state <> 'succeeded'", on: client) == 0)
      // The work was shared: every worker claimed some.
      let claims = workers.map { $0.output }
      for (index, summary) in claims.enumerated() {
        #expect(!summary.contains("claimed=0 "), "worker \(index + 1) claimed nothing: \(summary)")
        #expect(summary.contains("dead=0"))
      }
    }
  }

  @Test func aWorkerKilledMidStepIsReplacedAndNoEffectDoubles() async throws {
    try await TestDatabase.withFreshDatabase { client, url in
      let directory = try ServeTests.scratchDirectory()
      defer { try? FileManager.default.removeItem(at: directory) }
      let threads = try await Self.startRuns(1, on: client)
      let environment = ["DATABASE_URL": url.connectionString]
      // critic_cost sleeps 4 s inside its step; the lease is 1.5 s, renewed every 0.5 s.
      let slowArguments = ["--concurrency", "1", "--lease-ms", "1500", "--slow-node", "critic_cost", "--slow-ms", "4000"]
      let doomed = try MLOpsProcess(
        slowArguments + ["--owner", "doomed"], environment: environment, workingDirectory: directory,
        binary: MLOpsProcess.testWorkerBinary)

      // Wait until it is inside critic_cost: critic_tech's checkpoint is there, critic_cost's is not.
      let deadline = ContinuousClock.now + .seconds(60)
      var inside = false
      while ContinuousClock.now < deadline, !inside {
        inside = try await Fixtures.count("SELECT count(*) FROM checkpoints WHERE node = 'critic_tech'", on: client) == 1
        if !inside { try await Task.sleep(for: .milliseconds(50)) }
      }
      try #require(inside, "the worker never reached critic_cost: \(doomed.errors.suffix(2000))")
      try await Task.sleep(for: .milliseconds(300))
      kill(doomed.process.processIdentifier, SIGKILL)
      _ = await doomed.waitForExit(timeout: .seconds(10))

      let replacement = try MLOpsProcess(
        ["--concurrency", "1", "--lease-ms", "1500", "--owner", "replacement"], environment: environment,
        workingDirectory: directory, binary: MLOpsProcess.testWorkerBinary)
      let finished = try await Self.waitUntil(1, at: "waiting_for_approval", on: client, timeout: .seconds(60))
      #expect(await replacement.terminate() == 0)
      #expect(finished, "the run did not complete after the kill: \(replacement.errors.suffix(2000))")

      #expect(try await Fixtures.count("SELECT count(*) FROM step_effects", on: client) == 7)
      #expect(try await Fixtures.count("SELECT count(*) FROM checkpoints WHERE node = 'critic_cost'", on: client) == 1)
      let attempts = try await Fixtures.count("SELECT attempts FROM jobs WHERE thread_id = '\(threads[0])'", on: client)
      #expect(attempts == 2, "the job was claimed again after its lease expired")
    }
  }

  /// A step that kills its process (a trap, an OOM kill) is tried once more after the lease
  /// expires, then never again: the job is dead and the run-error names the step.
  @Test func aStepThatKillsItsWorkerTwiceEndsDeadWithARunError() async throws {
    try await TestDatabase.withFreshDatabase { client, url in
      let directory = try ServeTests.scratchDirectory()
      defer { try? FileManager.default.removeItem(at: directory) }
      let threads = try await Self.startRuns(1, on: client)
      let environment = ["DATABASE_URL": url.connectionString]
      let arguments = ["--concurrency", "1", "--lease-ms", "800", "--maintenance-ms", "200", "--crash-node", "critic_cost"]
      var crashed = 0
      for round in 0..<4 {
        let worker = try MLOpsProcess(
          arguments + ["--owner", "w\(round)"], environment: environment, workingDirectory: directory,
          binary: MLOpsProcess.testWorkerBinary)
        let deadline = ContinuousClock.now + .seconds(30)
        var dead = false
        while ContinuousClock.now < deadline, worker.process.isRunning, !dead {
          dead = try await Fixtures.count("SELECT count(*) FROM jobs WHERE state = 'dead'", on: client) == 1
          if !dead { try await Task.sleep(for: .milliseconds(50)) }
        }
        if worker.process.isRunning {
          _ = await worker.terminate()
        } else {
          crashed += 1
        }
        if dead { break }
      }
      #expect(crashed == JobQueue.crashLimit, "the step ended \(crashed) workers")
      #expect(try await Fixtures.count("SELECT count(*) FROM jobs WHERE state = 'dead'", on: client) == 1)
      #expect(try await Fixtures.count("SELECT count(*) FROM decision_sets WHERE status = 'failed'", on: client) == 1)
      let rows = try await client.query(
        "SELECT payload->>'node', payload->>'error' FROM events WHERE type = 'run-error' AND decision_set_id = \(threads[0])",
        logger: TestDatabase.logger)
      var errors: [(String?, String?)] = []
      for try await row in rows.decode((String?, String?).self) { errors.append(row) }
      #expect(errors.count == 1)
      #expect(errors.first?.0 == "critic_cost")
      #expect(errors.first?.1?.contains("ended the service") == true, "\(errors)")
    }
  }

  @Test func sigtermFinishesTheStepGivesTheJobBackAndExits() async throws {
    try await TestDatabase.withFreshDatabase { client, url in
      let directory = try ServeTests.scratchDirectory()
      defer { try? FileManager.default.removeItem(at: directory) }
      let threads = try await Self.startRuns(1, on: client)
      let environment = ["DATABASE_URL": url.connectionString]
      let first = try MLOpsProcess(
        ["--concurrency", "1", "--slow-node", "critic_tech", "--slow-ms", "1500", "--owner", "first"],
        environment: environment, workingDirectory: directory, binary: MLOpsProcess.testWorkerBinary)
      let deadline = ContinuousClock.now + .seconds(60)
      var inside = false
      while ContinuousClock.now < deadline, !inside {
        inside = try await Fixtures.count("SELECT count(*) FROM checkpoints WHERE node = 'planner'", on: client) == 1
        if !inside { try await Task.sleep(for: .milliseconds(50)) }
      }
      try #require(inside, "\(first.errors.suffix(2000))")
      // Let the slow step (1.5 s) begin: a SIGTERM between two steps rightly stops before the
      // next, which is not the case this test is about.
      try await Task.sleep(for: .milliseconds(400))
      #expect(await first.terminate(timeout: .seconds(20)) == 0)
      #expect(first.output.contains("released=1"), "\(first.output)")
      // The step in flight finished; nothing after it ran; the job is ready again, attempt unspent.
      #expect(try await Fixtures.count("SELECT count(*) FROM checkpoints WHERE node = 'critic_tech'", on: client) == 1)
      #expect(try await Fixtures.count("SELECT count(*) FROM checkpoints WHERE node = 'critic_cost'", on: client) == 0)
      #expect(try await Fixtures.count("SELECT count(*) FROM jobs WHERE state = 'ready' AND attempts = 0", on: client) == 1)

      let second = try MLOpsProcess(
        ["--concurrency", "1", "--owner", "second"], environment: environment, workingDirectory: directory,
        binary: MLOpsProcess.testWorkerBinary)
      let finished = try await Self.waitUntil(1, at: "waiting_for_approval", on: client, timeout: .seconds(60))
      #expect(await second.terminate() == 0)
      #expect(finished)
      #expect(try await Fixtures.count("SELECT count(*) FROM step_effects WHERE thread_id = '\(threads[0])'", on: client) == 7)
    }
  }
}

/// Events written by a worker process reach a stream served by another process.
@Suite struct CrossProcessStreamTests {
  @Test func aStreamOnTheAPIProcessFollowsARunAdvancedByAWorkerProcess() async throws {
    try await TestDatabase.withFreshDatabase { client, url in
      let directory = try ServeTests.scratchDirectory()
      defer { try? FileManager.default.removeItem(at: directory) }
      let ports = try TopologyPorts()
      var environment = ports.environment
      environment["DATABASE_URL"] = url.connectionString
      environment["MLOPS_SSE_PING_SECONDS"] = "1"
      let api = try MLOpsProcess(["edge", "--role", "api"], environment: environment, workingDirectory: directory)
      let up = await HTTP.waitFor200("\(ports.baseURL)/healthz", timeout: .seconds(30)) { api.process.isRunning }
      try #require(up != nil, "\(api.errors)")
      try await client.query(PostgresQuery(unsafeSQL: TestNodeBook.effectsTable), logger: TestDatabase.logger)

      // The API's data folder is the working directory's .mlops; the CLI below finds it too.
      let token = try await TestIdentity.localUserToken(dataDirectory: directory.appending(path: ".mlops").path)
      let project = try #require(
        try await HTTP.send("POST", "\(ports.baseURL)/v1/projects", json: #"{"name": "p"}"#, token: token).json()["id"]
          as? String)
      let id = try #require(
        try await HTTP.send(
          "POST", "\(ports.baseURL)/v1/projects/\(project)/decision-sets", json: #"{"brief": "b"}"#, token: token
        ).json()["id"] as? String)
      async let streamed = HTTP.send("GET", "\(ports.baseURL)/v1/decision-sets/\(id)/stream", token: token)
      try await Task.sleep(for: .milliseconds(300))

      let worker = try MLOpsProcess(
        ["--concurrency", "1"], environment: ["DATABASE_URL": url.connectionString], workingDirectory: directory,
        binary: MLOpsProcess.testWorkerBinary)
      // The worker's test nodes run to the gate; approve over HTTP and it runs to the end.
      #expect(try await RuntimeProcessTests.waitUntil(1, at: "waiting_for_approval", on: client, timeout: .seconds(30)))
      // Approve as a script would, with the CLI; a second approval is refused with the API's reason.
      let approve = try MLOpsProcess(
        ["approve", id, "--comment", "ship it", "--server", ports.baseURL], environment: [:], workingDirectory: directory)
      #expect(await approve.waitForExit(timeout: .seconds(30)) == 0, "\(approve.errors)")
      #expect(approve.output.contains("\"status\":\"running\""))

      let body = String(decoding: try await streamed.body, as: UTF8.self)
      let events = try MLOpsProcess(["events", id, "--server", ports.baseURL], environment: [:], workingDirectory: directory)
      #expect(await events.waitForExit(timeout: .seconds(30)) == 0, "\(events.errors)")
      let again = try MLOpsProcess(["approve", id, "--server", ports.baseURL], environment: [:], workingDirectory: directory)
      #expect(await again.waitForExit(timeout: .seconds(30)) != 0)
      #expect(again.errors.contains("409 not_waiting"), "\(again.errors)")
      #expect(await worker.terminate() == 0)
      #expect(await api.terminate() == 0)
      let sent = body.split(separator: "\n").filter { $0.hasPrefix("id: ") }.compactMap { Int64($0.dropFirst(4)) }
      let rows = try await client.query(
        "SELECT event_id FROM events WHERE decision_set_id = \(UUID(uuidString: id)!) ORDER BY event_id",
        logger: TestDatabase.logger)
      var stored: [Int64] = []
      for try await eventID in rows.decode(Int64.self) { stored.append(eventID) }
      #expect(sent == stored, "every event once, in order")
      #expect(body.contains("event: run-complete"))
      let listed = events.output.split(separator: "\n").compactMap {
        (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["id"] as? Int64
      }
      #expect(listed == stored, "mlops events lists the same timeline")
    }
  }
}
