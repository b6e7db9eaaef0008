import EdgeAPI
import EdgeRuntime
import Foundation
import Logging
import PostgresNIO
import ServiceKit
import ServiceLifecycle
import Synchronization
import TestSupport
import Testing

/// A heartbeat rides out a database outage shorter than the lease: only a lost lease ends a
/// step, never a renewal that failed.
@Suite struct LeaseKeeperTests {
  struct Unreachable: Error {}

  // The leases here are long and the renewals quick, so a busy machine (which only delays a
  // sleep) cannot change what is checked: only lower bounds on time are asserted.

  @Test func renewalsThatFailAreTriedAgainAndTheStepGoesOn() async throws {
    let calls = Atomic<Int>(0)
    let keeper = LeaseKeeper(
      lease: .seconds(30), renewEvery: .milliseconds(20), retryInterval: .milliseconds(20), logger: TestDatabase.logger
    ) {
      let call = calls.add(1, ordering: .relaxed).newValue
      if call <= 3 { throw Unreachable() }
      return true
    }
    let running = Task { try await keeper.run() }
    let deadline = ContinuousClock.now + .seconds(60)
    while calls.load(ordering: .relaxed) < 8, ContinuousClock.now < deadline {
      try await Task.sleep(for: .milliseconds(20))
    }
    running.cancel()
    let ended = await running.result
    #expect(throws: CancellationError.self) { try ended.get() }
    #expect(calls.load(ordering: .relaxed) >= 8, "renewals went on after the failures")
  }

  @Test func whenEveryRenewalFailsTheStepEndsOnlyAsTheLeaseRunsOut() async throws {
    let keeper = LeaseKeeper(
      lease: .seconds(2), renewEvery: .milliseconds(20), retryInterval: .milliseconds(20), logger: TestDatabase.logger
    ) { throw Unreachable() }
    let started = ContinuousClock.now
    await #expect(throws: LeaseKeeper.LeaseLost.self) { try await keeper.run() }
    let elapsed = ContinuousClock.now - started
    #expect(elapsed >= .milliseconds(1_900), "it gave up \(elapsed) in, before the lease ran out")
  }

  @Test func aLeaseThatIsNoLongerOursEndsTheStep() async throws {
    let keeper = LeaseKeeper(lease: .seconds(30), renewEvery: .milliseconds(20), logger: TestDatabase.logger) { false }
    await #expect(throws: LeaseKeeper.LeaseLost.self) { try await keeper.run() }
  }

  /// The operator's case: the database drops the worker's connections (a restart, a failover)
  /// while a renewal is on the wire. The renewal fails; the job finishes on its first attempt.
  @Test func aRenewalCutOffByTheDatabaseCostsTheRunningJobNothing() async throws {
    try await TestDatabase.withFreshDatabase { client, url in
      let (project, threads) = try await Fixtures.threads(1, on: client)
      let queue = JobQueue(client: client, logger: TestDatabase.logger)
      _ = try await queue.enqueue(NewJob(kind: "slow", threadID: threads[0], projectID: project, idempotencyKey: "slow-1"))
      let worker = Worker(
        queue: queue, handlers: ["slow": SlowHandler(duration: .seconds(11))],
        settings: .init(concurrency: 1, lease: .seconds(18), pollInterval: .milliseconds(100), maintenanceInterval: .seconds(60)),
        wake: WakeSignal(), logger: TestDatabase.logger)
      try await withThrowingTaskGroup(of: Void.self) { group in
        let services = ServiceGroup(services: [worker], logger: TestDatabase.logger)
        group.addTask { try await services.run() }
        try await Task.sleep(for: .milliseconds(500))
        // Hold the job's row so that the first renewal (6 s after the claim) waits on the wire,
        // then cut every other connection to the database, that renewal's among them. The
        // lease (18 s) leaves room for a busy machine, where reconnecting takes seconds.
        try await TestDatabase.withClient(url) { admin in
          try await admin.withConnection { connection in
            try await connection.query("BEGIN", logger: TestDatabase.logger)
            try await connection.query("SELECT id FROM jobs FOR UPDATE", logger: TestDatabase.logger)
            try await Task.sleep(for: .milliseconds(7_000))
            try await connection.query(
              "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
              logger: TestDatabase.logger)
            try await connection.query("ROLLBACK", logger: TestDatabase.logger)
          }
        }
        let deadline = ContinuousClock.now + .seconds(40)
        while worker.counters.snapshot.succeeded + worker.counters.snapshot.retried + worker.counters.snapshot.leasesLost == 0,
          ContinuousClock.now < deadline
        {
          try await Task.sleep(for: .milliseconds(100))
        }
        await services.triggerGracefulShutdown()
        try await group.waitForAll()
      }
      let counters = worker.counters.snapshot
      #expect(counters.succeeded == 1)
      #expect(counters.retried == 0 && counters.leasesLost == 0 && counters.dead == 0)
      #expect(
        try await Fixtures.count("SELECT count(*) FROM jobs WHERE state = 'succeeded' AND attempts = 1", on: client) == 1)
    }
  }
}

/// Holds its job for `duration`, then finishes it.
private struct SlowHandler: JobHandler {
  let duration: Duration

  func handle(_ job: ClaimedJob, queue: JobQueue, shouldStop: @escaping @Sendable () -> Bool) async throws
    -> JobHandlingOutcome
  {
    try await Task.sleep(for: duration)
    // Its own commit may meet a connection the test cut; that is not the heartbeat's to survive.
    for attempt in 1...3 {
      do {
        _ = try await queue.complete(job)
        return .finished
      } catch  where attempt < 3 {
        try await Task.sleep(for: .milliseconds(200))
      }
    }
    return .finished
  }
}
