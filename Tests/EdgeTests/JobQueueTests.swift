import EdgeAPI
import EdgeRuntime
import Foundation
import PostgresNIO
import TestSupport
import Testing

@Suite struct JobQueueTests {
  static func queue(_ client: PostgresClient) -> JobQueue {
    JobQueue(client: client, backoff: RetryBackoff(base: .milliseconds(200), cap: .seconds(5)), logger: TestDatabase.logger)
  }

  static func job(_ thread: UUID, _ project: UUID, key: String? = nil, priority: Int = 0, maxAttempts: Int = 3) -> NewJob {
    NewJob(
      kind: "test", threadID: thread, projectID: project, idempotencyKey: key ?? "job-\(thread)", priority: priority,
      maxAttempts: maxAttempts)
  }

  @Test func claimsByPriorityThenAgeAndNeverTwice() async throws {
    try await TestDatabase.withFreshDatabase { client, _ in
      let queue = Self.queue(client)
      let (project, threads) = try await Fixtures.threads(4, on: client)
      for (index, thread) in threads.enumerated() {
        try await queue.enqueue(Self.job(thread, project, priority: index == 2 ? 10 : 0))
      }
      let first = try await queue.claim(owner: "a", limit: 2, lease: .seconds(30))
      let second = try await queue.claim(owner: "b", limit: 10, lease: .seconds(30))
      #expect(first.count == 2)
      #expect(first.contains { $0.threadID == threads[2] }, "the high-priority job goes first")
      #expect(second.count == 2)
      #expect(Set(first.map(\.id)).isDisjoint(with: second.map(\.id)))
      #expect(try await queue.claim(owner: "c", limit: 10, lease: .seconds(30)).isEmpty)
      #expect(first.allSatisfy { $0.attempt == 1 })
    }
  }

  @Test func atMostOneLiveJobPerThreadAndIdempotencyKeysDeduplicate() async throws {
    try await TestDatabase.withFreshDatabase { client, _ in
      let queue = Self.queue(client)
      let (project, threads) = try await Fixtures.threads(1, on: client)
      #expect(try await queue.enqueue(Self.job(threads[0], project, key: "one")) != nil)
      #expect(try await queue.enqueue(Self.job(threads[0], project, key: "one")) == nil)
      #expect(try await queue.enqueue(Self.job(threads[0], project, key: "two")) == nil, "a second live job on one thread")
      let claimed = try #require(try await queue.claim(owner: "a", limit: 1, lease: .seconds(30)).first)
      #expect(try await queue.complete(claimed))
      #expect(try await queue.enqueue(Self.job(threads[0], project, key: "two")) != nil, "allowed once the first is done")
    }
  }

  @Test func enqueueCommitsOrRollsBackWithTheCallersTransaction() async throws {
    try await TestDatabase.withFreshDatabase { client, _ in
      let queue = Self.queue(client)
      let (project, threads) = try await Fixtures.threads(1, on: client)
      struct Abort: Error {}
      await #expect(throws: (any Error).self) {
        try await client.withTransaction(logger: TestDatabase.logger) { connection in
          try await queue.enqueue(Self.job(threads[0], project), on: connection)
          throw Abort()
        }
      }
      #expect(try await Fixtures.count("SELECT count(*) FROM jobs", on: client) == 0)
    }
  }

  @Test func onlyTheLeaseHolderFinishesAndExpiredLeasesAreReclaimed() async throws {
    try await TestDatabase.withFreshDatabase { client, _ in
      let queue = Self.queue(client)
      let (project, threads) = try await Fixtures.threads(1, on: client)
      try await queue.enqueue(Self.job(threads[0], project))
      let held = try #require(try await queue.claim(owner: "slow", limit: 1, lease: .seconds(2)).first)
      #expect(try await queue.heartbeat(held, lease: .milliseconds(300)))
      try await Task.sleep(for: .milliseconds(600))
      #expect(try await queue.reapExpiredLeases() == 1)
      #expect(try await queue.heartbeat(held, lease: .seconds(30)) == false, "the reaped owner lost its lease")

      let retaken = try #require(try await queue.claim(owner: "fast", limit: 1, lease: .seconds(30)).first)
      #expect(retaken.id == held.id)
      #expect(retaken.attempt == 2)
      #expect(try await queue.complete(held) == false, "a worker that lost its lease cannot overwrite the result")
      #expect(try await queue.fail(held, error: "late") == .leaseLost)
      #expect(try await queue.complete(retaken))
      #expect(try await Fixtures.count("SELECT count(*) FROM jobs WHERE state = 'succeeded'", on: client) == 1)
    }
  }

  @Test func failuresBackOffThenDieWithARunErrorEvent() async throws {
    try await TestDatabase.withFreshDatabase { client, _ in
      // A base long enough that a loaded machine cannot outrun it (4 s was outrun once, by a
      // CI run sharing its two cores with a build); the test moves time on, so it costs nothing.
      let queue = JobQueue(
        client: client, backoff: RetryBackoff(base: .seconds(30), cap: .seconds(120)), logger: TestDatabase.logger)
      let (project, threads) = try await Fixtures.threads(1, on: client)
      try await queue.enqueue(Self.job(threads[0], project, maxAttempts: 3))

      var delays: [Double] = []
      for attempt in 1...3 {
        let job = try #require(try await queue.claim(owner: "w", limit: 1, lease: .seconds(30)).first)
        #expect(job.attempt == attempt)
        let failedAt = Date()
        let outcome = try await queue.fail(job, error: "boom \(attempt)", onDeath: GraphJobHandler.failRun)
        switch outcome {
        case .retryScheduled(let at):
          #expect(attempt < 3)
          delays.append(at.timeIntervalSince(failedAt))
          #expect(
            try await Fixtures.count("SELECT count(*) FROM jobs WHERE state = 'ready' AND run_at > now()", on: client) == 1,
            "not claimable before its time")
          // Move time on rather than sleep through the backoff.
          try await client.query("UPDATE jobs SET run_at = now()", logger: TestDatabase.logger)
        case .dead:
          #expect(attempt == 3)
        case .leaseLost:
          Issue.record("the lease was the worker's own")
        }
      }
      // Attempt 1 waits 15–30 s, attempt 2 waits 30–60 s (base 30 s, half jitter); the
      // database's clock and ours differ by the statement's own time.
      #expect(delays.count == 2)
      #expect(delays[0] > 14.5 && delays[0] < 30.5)
      #expect(delays[1] > 29.5 && delays[1] < 60.5)

      #expect(try await Fixtures.count("SELECT count(*) FROM jobs WHERE state = 'dead'", on: client) == 1)
      let rows = try await client.query(
        "SELECT payload->>'error', (payload->>'attempts')::int FROM events WHERE type = 'run-error'",
        logger: TestDatabase.logger)
      var events: [(String, Int)] = []
      for try await event in rows.decode((String, Int).self) { events.append(event) }
      #expect(events.count == 1)
      #expect(events.first?.0 == "boom 3")
      #expect(events.first?.1 == 3)
      #expect(try await Fixtures.count("SELECT count(*) FROM decision_sets WHERE status = 'failed'", on: client) == 1)
    }
  }

  @Test func releaseGivesTheJobBackWithoutSpendingAnAttempt() async throws {
    try await TestDatabase.withFreshDatabase { client, _ in
      let queue = Self.queue(client)
      let (project, threads) = try await Fixtures.threads(1, on: client)
      try await queue.enqueue(Self.job(threads[0], project))
      let held = try #require(try await queue.claim(owner: "a", limit: 1, lease: .seconds(30)).first)
      try await queue.release(held)
      let again = try #require(try await queue.claim(owner: "b", limit: 1, lease: .seconds(30)).first)
      #expect(again.attempt == 1)
    }
  }

  @Test func backoffGrowsExponentiallyWithinItsCap() {
    let backoff = RetryBackoff(base: .seconds(1), cap: .seconds(10))
    #expect(backoff.delay(afterAttempt: 1, random: 1) == .seconds(1))
    #expect(backoff.delay(afterAttempt: 1, random: 0) == .milliseconds(500))
    #expect(backoff.delay(afterAttempt: 3, random: 1) == .seconds(4))
    #expect(backoff.delay(afterAttempt: 20, random: 1) == .seconds(10))
  }
}

/// A step that ends its worker's process leaves only an expired lease behind; the second such
/// end at the same checkpoint makes the job dead with a run-error that names the step.
@Suite struct CrashingStepTests {
  @Test func twoCrashesAtOneCheckpointEndTheJobWithARunError() async throws {
    try await TestDatabase.withFreshDatabase { client, _ in
      let queue = JobQueueTests.queue(client)
      let (project, threads) = try await Fixtures.threads(2, on: client)
      func checkpoint(_ thread: UUID) async throws {
        try await client.query(
          """
          INSERT INTO checkpoints (checkpoint_id, thread_id, project_id, node, next_node, state)
          VALUES (\(UUID()), \(thread), \(project), 'codegen', 'validators', '\\x'::bytea)
          """, logger: TestDatabase.logger)
        // What a step's commit does besides: the job made progress.
        try await client.query("UPDATE jobs SET progress = progress + 1 WHERE thread_id = \(thread)", logger: TestDatabase.logger)
      }
      for thread in threads {
        try await queue.enqueue(JobQueueTests.job(thread, project))
        try await checkpoint(thread)
      }
      func crash(_ thread: UUID) async throws {
        _ = try #require(try await queue.claim(threadID: thread, owner: "doomed", lease: .milliseconds(50)))
        try await Task.sleep(for: .milliseconds(150))
        do {
          try await queue.reapExpiredLeases(onDeath: GraphJobHandler.failRun)
        } catch {
          Issue.record("reaping failed: \(String(reflecting: error))")
          throw error
        }
      }
      // First thread: two crashes in a row with no progress between them.
      try await crash(threads[0])
      #expect(
        try await Fixtures.count(
          "SELECT count(*) FROM jobs WHERE state = 'ready' AND thread_id = '\(threads[0].uuidString.lowercased())'", on: client)
          == 1)
      try await crash(threads[0])
      #expect(
        try await Fixtures.count(
          "SELECT count(*) FROM jobs WHERE state = 'dead' AND thread_id = '\(threads[0].uuidString.lowercased())'", on: client)
          == 1)
      let rows = try await client.query(
        "SELECT payload::text FROM events WHERE decision_set_id = \(threads[0]) AND type = 'run-error'",
        logger: TestDatabase.logger)
      var payloads: [String] = []
      for try await (payload) in rows.decode(String.self) { payloads.append(payload) }
      #expect(payloads.count == 1)
      #expect(
        payloads.first?.contains("\"node\": \"validators\"") == true
          || payloads.first?.contains("\"node\":\"validators\"") == true)
      #expect(payloads.first?.contains("ended the service") == true, "\(payloads)")
      #expect(
        try await Fixtures.count(
          "SELECT count(*) FROM decision_sets WHERE status = 'failed' AND id = '\(threads[0].uuidString.lowercased())'",
          on: client) == 1)

      // Second thread: a checkpoint committed between the crashes is progress, so it goes on.
      try await crash(threads[1])
      try await checkpoint(threads[1])
      try await crash(threads[1])
      #expect(
        try await Fixtures.count(
          "SELECT count(*) FROM jobs WHERE state = 'ready' AND thread_id = '\(threads[1].uuidString.lowercased())'", on: client)
          == 1)
    }
  }
}
