import Contracts
import EdgeRuntime
import Foundation
import PostgresNIO
import TestSupport
import Testing

/// A step's commit locks its job's row, so a test that holds that lock holds the commit: what
/// the engine does meanwhile shows whether the next node runs ahead of it.
@Suite struct RunAheadTests {
  typealias Harness = GraphEngineTests.Harness

  @Test func theNextNodeStartsWhileAStepCommits() async throws {
    try await TestDatabase.withFreshDatabase { client, _ in
      let harness = try await Harness(client: client)
      let (thread, job) = try await harness.startAndClaim()
      let run = try await Self.holdingTheJob(job, client: client) {
        (holder: PostgresConnection) async throws -> Task<GraphEngine.RunOutcome, any Error> in
        let run = Task { try await harness.engine.run(job) }
        let ahead = await Self.eventually { harness.book.called(.coverageCheck) == 1 }
        #expect(ahead, "coverage_check started while intake_extract's commit waited on the job's row")
        #expect(try await harness.nodeOrder(thread) == ["start"], "intake_extract had not committed yet")
        return run
      }
      #expect(try await run.value == .waiting(.approval))
      #expect(
        try await harness.nodeOrder(thread) == [
          "start", "intake_extract", "coverage_check", "planner", "critic_tech", "critic_cost", "policy_eval", "gate_hitl",
        ])
      #expect(harness.book.total == 7, "each node ran once")
      // Each step's effect names the checkpoint its node ran from, and that checkpoint committed.
      #expect(
        try await Fixtures.count(
          "SELECT count(*) FROM step_effects e JOIN checkpoints c ON c.checkpoint_id = e.parent_id", on: client) == 7)
      #expect(try await Fixtures.count("SELECT count(*) FROM agent_runs", on: client) == 7)
    }
  }

  @Test func whatRanAheadOfACommitThatFailedIsDropped() async throws {
    try await TestDatabase.withFreshDatabase { client, _ in
      let harness = try await Harness(client: client)
      let (thread, job) = try await harness.startAndClaim()
      let run = try await Self.holdingTheJob(job, client: client) {
        (holder: PostgresConnection) async throws -> Task<GraphEngine.RunOutcome, any Error> in
        let run = Task { try await harness.engine.run(job) }
        #expect(await Self.eventually { harness.book.called(.coverageCheck) == 1 })
        // Another worker takes the job over before intake_extract's commit gets the row.
        try await holder.query(
          "UPDATE jobs SET lease_owner = 'another-worker' WHERE id = \(job.id)", logger: TestDatabase.logger)
        return run
      }
      await #expect(throws: GraphError.leaseLost(jobID: job.id)) { try await run.value }
      #expect(try await harness.nodeOrder(thread) == ["start"])
      #expect(try await Fixtures.count("SELECT count(*) FROM step_effects", on: client) == 0)
      #expect(try await Fixtures.count("SELECT count(*) FROM agent_runs", on: client) == 0)
      #expect(try await Fixtures.count("SELECT count(*) FROM events WHERE decision_set_id = '\(thread)'", on: client) == 0)
    }
  }

  @Test func aNodeThatWritesOutsideItsStepWaitsForTheCommitBeforeIt() async throws {
    try await TestDatabase.withFreshDatabase { client, _ in
      let harness = try await Harness(client: client)
      let thread = harness.threads[0]
      try await harness.start(thread)
      #expect(try await harness.runNextJob() == .waiting(.approval))
      try await harness.engine.runs.resume(threadID: thread) { $0.approval.status = .approved }
      let job = try #require(try await harness.engine.queue.claim(owner: "test", limit: 1, lease: .seconds(30)).first)
      let run = try await Self.holdingTheJob(job, client: client) {
        (_: PostgresConnection) async throws -> Task<GraphEngine.RunOutcome, any Error> in
        let run = Task { try await harness.engine.run(job) }
        #expect(await Self.eventually { harness.book.called(.codegen) == 1 })
        try await Task.sleep(for: .milliseconds(300))
        #expect(harness.book.called(.validators) == 0, "validators waited for codegen's commit")
        return run
      }
      #expect(try await run.value == .ended(.completed))
      #expect(harness.book.called(.validators) == 1)
    }
  }

  /// Runs `body` while a transaction of its own holds `job`'s row, then lets it go.
  static func holdingTheJob<T: Sendable>(
    _ job: ClaimedJob, client: PostgresClient, _ body: (PostgresConnection) async throws -> T
  ) async throws -> T {
    try await client.withConnection { holder in
      try await holder.query("BEGIN", logger: TestDatabase.logger)
      try await holder.query("SELECT id FROM jobs WHERE id = \(job.id) FOR UPDATE", logger: TestDatabase.logger)
      do {
        let value = try await body(holder)
        try await holder.query("COMMIT", logger: TestDatabase.logger)
        return value
      } catch {
        _ = try? await holder.query("ROLLBACK", logger: TestDatabase.logger)
        throw error
      }
    }
  }

  /// Whether `condition` holds within `limit`: generous, since under the full suite's load a
  /// node that runs at once here took over 5 s to start (both tests that wait for one failed so).
  static func eventually(within limit: Duration = .seconds(60), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
      if condition() { return true }
      try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
  }
}
