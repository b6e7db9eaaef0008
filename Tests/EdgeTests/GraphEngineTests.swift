import Contracts
import EdgeAPI
import EdgeRuntime
import Foundation
import PostgresNIO
import TestSupport
import Testing

@Suite struct GraphEngineTests {
  struct Harness: Sendable {
    let client: PostgresClient
    let engine: GraphEngine
    let book: TestNodeBook
    let project: UUID
    let threads: [UUID]

    init(client: PostgresClient, threads count: Int = 1, briefSuffices: Bool = true, policy: Mlops_V1_RuleOutcome = .pass)
      async throws
    {
      self.client = client
      try await client.query(PostgresQuery(unsafeSQL: TestNodeBook.effectsTable), logger: TestDatabase.logger)
      book = TestNodeBook()
      let queue = JobQueue(client: client, logger: TestDatabase.logger)
      engine = GraphEngine(
        client: client, nodes: TestNode.all(book: book, briefSuffices: briefSuffices, policy: policy), queue: queue,
        logger: TestDatabase.logger)
      (project, threads) = try await Fixtures.threads(count, on: client)
    }

    func start(_ thread: UUID, brief: String = "fraud scoring") async throws {
      _ = try await client.withTransaction(logger: TestDatabase.logger) { connection in
        try await engine.runs.start(
          threadID: thread, projectID: project,
          state: .with {
            $0.brief = brief; $0.version = 1
          }, on: connection)
      }
    }

    /// Starts the first thread's run and claims its job, as a worker would.
    func startAndClaim() async throws -> (thread: UUID, job: ClaimedJob) {
      try await start(threads[0])
      return (threads[0], try #require(try await engine.queue.claim(owner: "test", limit: 1, lease: .seconds(30)).first))
    }

    /// Starts the first thread and commits its first step (intake) outside any job, as a
    /// retry would; returns the thread, the start checkpoint and the step's.
    func startAndStepOnce() async throws -> (thread: UUID, root: Checkpoint, first: Checkpoint) {
      let thread = threads[0]
      try await start(thread)
      let root = try #require(try await engine.checkpointer.latest(threadID: thread))
      return (thread, root, try await engine.step(.intakeExtract, from: root, job: nil))
    }

    /// Claims the thread's job and runs it, as a worker would.
    func runNextJob() async throws -> GraphEngine.RunOutcome {
      let job = try #require(try await engine.queue.claim(owner: "test", limit: 1, lease: .seconds(30)).first)
      return try await engine.run(job)
    }

    func nodeOrder(_ thread: UUID) async throws -> [String] {
      try await engine.checkpointer.list(threadID: thread).map(\.node)
    }

    func eventTypes(_ thread: UUID) async throws -> [String] {
      let rows = try await client.query(
        "SELECT type FROM events WHERE decision_set_id = \(thread) ORDER BY event_id", logger: TestDatabase.logger)
      var types: [String] = []
      for try await type in rows.decode(String.self) { types.append(type) }
      return types
    }
  }

  @Test func checkpointsRoundTripAcrossARestart() async throws {
    try await TestDatabase.withFreshDatabase { client, url in
      let (project, threads) = try await Fixtures.threads(1, on: client)
      let state = Mlops_V1_DecisionState.with { state in
        state.brief = "fraud scoring, p95 under 80 ms"
        state.version = 3
        state.constraints.latencyP95Ms = .with {
          $0.value = 80; $0.unit = "ms"; $0.provenance.confidence = 0.9
        }
        state.plan.components = [
          .with {
            $0.id = "serve"; $0.option = "ecs_fargate"; $0.settings = ["cpu": "1", "memory": "2048", "az": "2"]
          }
        ]
        state.answers = [
          .with {
            $0.questionID = "q1"; $0.value = "3000"
          }
        ]
      }
      let saved = try await client.withTransaction(logger: TestDatabase.logger) { connection in
        try await Checkpointer(client: client, logger: TestDatabase.logger).save(
          threadID: threads[0], projectID: project, parentID: nil, node: "start", nextNode: .intakeExtract,
          isInterrupt: false, state: state, on: connection)
      }
      let checkpoint = try #require(saved)

      // A new client and a new checkpointer, as after a process restart.
      try await TestDatabase.withClient(url) { fresh in
        let reloaded = try #require(
          try await Checkpointer(client: fresh, logger: TestDatabase.logger).latest(threadID: threads[0]))
        #expect(reloaded == checkpoint)
        #expect(reloaded.state == state)
        #expect(try Checkpointer.encode(reloaded.state) == Checkpointer.encode(state))
      }
    }
  }

  /// As in `mlops serve`, where the API and the worker share one pool: the first commit on a
  /// connection is a resume (no agent run, so NULLs), and the worker's steps use the same
  /// connection after it.
  @Test func aResumeFirstOnAConnectionDoesNotSpoilItsLaterSteps() async throws {
    try await TestDatabase.withFreshDatabase { client, url in
      let harness = try await Harness(client: client)
      let thread = harness.threads[0]
      try await harness.start(thread)
      #expect(try await harness.runNextJob() == .waiting(.approval))
      var single = url
      single.sslMode = .disable
      try await single.withRunningClient(logger: TestDatabase.logger, maximumConnections: 1) { one in
        let engine = GraphEngine(
          client: one, nodes: TestNode.all(book: harness.book), queue: JobQueue(client: one, logger: TestDatabase.logger),
          logger: TestDatabase.logger)
        try await engine.runs.resume(threadID: thread) { $0.approval.status = .approved }
        let job = try #require(try await engine.queue.claim(owner: "test", limit: 1, lease: .seconds(30)).first)
        #expect(try await engine.run(job) == .ended(.completed))
      }
    }
  }

  @Test func happyPathFollowsTheTopologyAndStopsAtTheGate() async throws {
    try await TestDatabase.withFreshDatabase { client, _ in
      let harness = try await Harness(client: client)
      let thread = harness.threads[0]
      try await harness.start(thread)
      #expect(try await harness.runNextJob() == .waiting(.approval))
      #expect(
        try await harness.nodeOrder(thread) == [
          "start", "intake_extract", "coverage_check", "planner", "critic_tech", "critic_cost", "policy_eval", "gate_hitl",
        ])
      #expect(
        try await Fixtures.count("SELECT count(*) FROM decision_sets WHERE status = 'waiting_for_approval'", on: client) == 1)
      #expect(try await harness.engine.queue.claim(owner: "x", limit: 1, lease: .seconds(5)).isEmpty, "the job ended at the gate")

      try await harness.engine.runs.resume(threadID: thread) { $0.approval.status = .approved }
      #expect(try await harness.runNextJob() == .ended(.completed))
      let order = try await harness.nodeOrder(thread)
      #expect(
        Array(order.suffix(5)) == ["resume", "codegen", "validators", "rationale_compile", "diff_and_persist"])
      #expect(harness.book.total == 11, "every node but adaptive_questions ran once")

      // One reason card per node run, a gate-waiting at the gate and one run-complete.
      let types = try await harness.eventTypes(thread)
      #expect(types.filter { $0 == "reason-card" }.count == 11)
      #expect(types.filter { $0 == "gate-waiting" }.count == 1)
      #expect(types.last == "run-complete")
      #expect(try await Fixtures.count("SELECT count(*) FROM step_effects", on: client) == 11)
      #expect(try await Fixtures.count("SELECT count(*) FROM decision_sets WHERE status = 'completed'", on: client) == 1)
      #expect(try await Fixtures.count("SELECT count(*) FROM agent_runs", on: client) == 11)
      #expect(try await Fixtures.count("SELECT count(*) FROM jobs WHERE state = 'succeeded'", on: client) == 2)
    }
  }

  @Test func questionsInterruptThenAnswersResumeAtCoverage() async throws {
    try await TestDatabase.withFreshDatabase { client, _ in
      let harness = try await Harness(client: client, briefSuffices: false)
      let thread = harness.threads[0]
      try await harness.start(thread)
      #expect(try await harness.runNextJob() == .waiting(.answers))
      #expect(try await harness.nodeOrder(thread) == ["start", "intake_extract", "coverage_check", "adaptive_questions"])

      await #expect(throws: GraphError.stillWaiting(thread, .answers)) {
        try await harness.engine.runs.resume(threadID: thread) { _ in }
      }
      try await harness.engine.runs.resume(threadID: thread) {
        $0.answers.append(
          .with {
            $0.questionID = "q-budget"; $0.value = "3000"
          })
      }
      #expect(try await harness.runNextJob() == .waiting(.approval))
      #expect(
        Array(try await harness.nodeOrder(thread).suffix(7)) == [
          "resume", "coverage_check", "planner", "critic_tech", "critic_cost", "policy_eval", "gate_hitl",
        ])
      #expect(harness.book.called(.coverageCheck) == 2)
    }
  }

  @Test func policyFailureBlocksTheRunBeforeTheGate() async throws {
    try await TestDatabase.withFreshDatabase { client, _ in
      let harness = try await Harness(client: client, policy: .fail)
      let thread = harness.threads[0]
      try await harness.start(thread)
      #expect(try await harness.runNextJob() == .ended(.blocked))
      #expect(try await harness.nodeOrder(thread).last == "policy_eval")
      #expect(harness.book.called(.gateHITL) == 0)
      #expect(try await harness.eventTypes(thread).last == "run-complete")
      #expect(try await Fixtures.count("SELECT count(*) FROM decision_sets WHERE status = 'blocked'", on: client) == 1)
    }
  }

  @Test func rejectionEndsTheRunWithoutCodegen() async throws {
    try await TestDatabase.withFreshDatabase { client, _ in
      let harness = try await Harness(client: client)
      let thread = harness.threads[0]
      try await harness.start(thread)
      _ = try await harness.runNextJob()
      let ended = try await harness.engine.runs.resume(threadID: thread) { $0.approval.status = .rejected }
      #expect(ended.nextNode == nil)
      #expect(ended.state.status == .rejected)
      #expect(try await harness.engine.queue.claim(owner: "x", limit: 1, lease: .seconds(5)).isEmpty)
      #expect(harness.book.called(.codegen) == 0)
      await #expect(throws: GraphError.notWaiting(thread)) {
        try await harness.engine.runs.resume(threadID: thread) { $0.approval.status = .approved }
      }
    }
  }

  @Test func aStepRetriedAfterItsCommitReusesTheStoredOutput() async throws {
    try await TestDatabase.withFreshDatabase { client, _ in
      let harness = try await Harness(client: client)
      let (_, root, first) = try await harness.startAndStepOnce()
      // The same step again from the same parent, as a retry whose earlier commit succeeded.
      let again = try await harness.engine.step(.intakeExtract, from: root, job: nil)
      #expect(again.id == first.id)
      #expect(harness.book.called(.intakeExtract) == 1, "the stored output was reused; the node was not called again")
      #expect(try await Fixtures.count("SELECT count(*) FROM checkpoints WHERE node = 'intake_extract'", on: client) == 1)
      #expect(try await Fixtures.count("SELECT count(*) FROM step_effects", on: client) == 1)
    }
  }

  @Test func aWorkerThatLostItsLeaseCommitsNothing() async throws {
    try await TestDatabase.withFreshDatabase { client, _ in
      let harness = try await Harness(client: client)
      let thread = harness.threads[0]
      try await harness.start(thread)
      let stale = try #require(try await harness.engine.queue.claim(owner: "stale", limit: 1, lease: .milliseconds(100)).first)
      try await Task.sleep(for: .milliseconds(250))
      try await harness.engine.queue.reapExpiredLeases()
      let root = try #require(try await harness.engine.checkpointer.latest(threadID: thread))
      await #expect(throws: GraphError.leaseLost(jobID: stale.id)) {
        try await harness.engine.step(.intakeExtract, from: root, job: stale)
      }
      #expect(try await harness.nodeOrder(thread) == ["start"])
      #expect(try await Fixtures.count("SELECT count(*) FROM step_effects", on: client) == 0)
    }
  }

  @Test func pruningKeepsTheLastCheckpointsAndEveryInterrupt() async throws {
    try await TestDatabase.withFreshDatabase { client, _ in
      let harness = try await Harness(client: client, threads: 2)
      for thread in harness.threads { try await harness.start(thread) }
      _ = try await harness.runNextJob()
      _ = try await harness.runNextJob()
      // Finish the first run; leave the second waiting at the gate.
      try await harness.engine.runs.resume(threadID: harness.threads[0]) { $0.approval.status = .approved }
      #expect(try await harness.runNextJob() == .ended(.completed))
      let before = try await harness.nodeOrder(harness.threads[0])
      #expect(before.count == 13)

      // A run is pruned once it has been finished a minute (a commit that began earlier may land later).
      #expect(try await harness.engine.checkpointer.prune(keepLast: 3) == 0)
      try await client.query(
        "UPDATE decision_sets SET updated_at = updated_at - interval '2 minutes'", logger: TestDatabase.logger)
      let removed = try await harness.engine.checkpointer.prune(keepLast: 3)
      let after = try await harness.nodeOrder(harness.threads[0])
      #expect(after == ["gate_hitl", "validators", "rationale_compile", "diff_and_persist"])
      #expect(removed == 9)
      #expect(try await harness.nodeOrder(harness.threads[1]).count == 8, "a run that has not finished keeps everything")
      // Reloading still works with parents pruned away.
      #expect(try await harness.engine.checkpointer.latest(threadID: harness.threads[0])?.node == "diff_and_persist")
      // The mark moved past it: the next prune starts after it.
      #expect(try await harness.engine.checkpointer.prune(keepLast: 1) == 0)
    }
  }
}
