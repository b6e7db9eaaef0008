import EdgeAPI
import EdgeRuntime
import Foundation
import Logging
import PostgresNIO
import ServiceKit
import ServiceLifecycle
import TestSupport
import Testing

@Suite struct WorkerTests {
  @Test func wakeSignalWakesWaitersAndNeverMissesAnEarlierSignal() async throws {
    let wake = WakeSignal()
    let seen = wake.generation
    wake.signal()
    // Timeouts far beyond any scheduling delay: returning well before one means the signal
    // woke the waiter, however busy the machine is with other suites.
    let start = ContinuousClock.now
    await wake.wait(after: seen, timeout: .seconds(120))
    #expect(ContinuousClock.now - start < .seconds(60), "a signal before the wait must not be missed")

    let generation = wake.generation
    async let waited: Void = wake.wait(after: generation, timeout: .seconds(120))
    try await Task.sleep(for: .milliseconds(50))
    let signalled = ContinuousClock.now
    wake.signal()
    await waited
    #expect(ContinuousClock.now - signalled < .seconds(60))

    let idle = ContinuousClock.now
    await wake.wait(after: wake.generation, timeout: .milliseconds(100))
    #expect(ContinuousClock.now - idle >= .milliseconds(100), "with no signal it waits out the timeout")
  }

  @Test func aWorkerRunsEveryThreadToItsGateExactlyOnce() async throws {
    try await TestDatabase.withFreshDatabase { client, _ in
      let book = TestNodeBook()
      let (engine, worker, listener) = try await Self.graphWorker(client: client, book: book)
      let (project, threads) = try await Fixtures.threads(20, on: client)

      try await withThrowingTaskGroup(of: Void.self) { group in
        let services = ServiceGroup(services: [listener, worker], logger: TestDatabase.logger)
        group.addTask { try await services.run() }
        // Started after the worker is idle: only NOTIFY can wake it (the poll is 30 s).
        try await Task.sleep(for: .milliseconds(300))
        for thread in threads {
          _ = try await client.withTransaction(logger: TestDatabase.logger) { connection in
            try await engine.runs.start(threadID: thread, projectID: project, state: .with { $0.brief = "b" }, on: connection)
          }
        }
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
          let waiting = try await Fixtures.count(
            "SELECT count(*) FROM decision_sets WHERE status = 'waiting_for_approval'", on: client)
          if waiting == threads.count { break }
          try await Task.sleep(for: .milliseconds(50))
        }
        await services.triggerGracefulShutdown()
        try await group.waitForAll()
      }
      #expect(
        try await Fixtures.count("SELECT count(*) FROM decision_sets WHERE status = 'waiting_for_approval'", on: client) == 20)
      #expect(try await Fixtures.count("SELECT count(*) FROM step_effects", on: client) == 20 * 7)
      #expect(book.total == 20 * 7)
      let counters = worker.counters.snapshot
      #expect(counters.claimed == 20)
      #expect(counters.succeeded == 20)
      #expect(counters.retried == 0 && counters.dead == 0 && counters.leasesLost == 0)
    }
  }

  @Test func aQueuedJobCostsOneClaimAndNoMaintenancePass() async throws {
    try await TestDatabase.withFreshDatabase { client, _ in
      let (engine, worker, listener) = try await Self.graphWorker(client: client, book: TestNodeBook())
      let (project, threads) = try await Fixtures.threads(4, on: client)

      let (before, after) = try await withThrowingTaskGroup(of: Void.self) { group in
        let services = ServiceGroup(services: [listener, worker], logger: TestDatabase.logger)
        group.addTask { try await services.run() }
        // One at a time, each to its gate: every notification finds four idle executor slots.
        // The first, queued after the worker's first claim found nothing, can only be found
        // by a wake-up: once it is done the worker listens, and the count starts.
        try await Task.sleep(for: .milliseconds(300))
        var before = worker.counters.snapshot
        for (index, thread) in threads.enumerated() {
          _ = try await client.withTransaction(logger: TestDatabase.logger) { connection in
            try await engine.runs.start(threadID: thread, projectID: project, state: .with { $0.brief = "b" }, on: connection)
          }
          let deadline = ContinuousClock.now + .seconds(60)
          while worker.counters.snapshot.succeeded < index + 1, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
          }
          if index == 0 {
            try await Task.sleep(for: .milliseconds(200))
            before = worker.counters.snapshot
          }
        }
        try await Task.sleep(for: .milliseconds(200))
        let after = worker.counters.snapshot
        await services.triggerGracefulShutdown()
        try await group.waitForAll()
        return (before, after)
      }
      #expect(after.succeeded - before.succeeded == 3)
      // Three (one a job, where four idle executors used to claim four); one more should the
      // listener's first wake-up come late under load.
      #expect((3...4).contains(after.claimQueries - before.claimQueries), "one claim a job, not one per idle executor")
      #expect(after.maintenancePasses == before.maintenancePasses, "upkeep keeps its own interval, not the jobs'")
    }
  }

  /// A worker with four executor slots for graph runs of test nodes, and its job listener;
  /// its 30-second poll leaves notifications the only thing that wakes it soon, and its upkeep
  /// runs once, at start (a test under the full suite's load can outlast any shorter interval:
  /// one took 108 s and saw a second pass).
  static func graphWorker(client: PostgresClient, book: TestNodeBook) async throws
    -> (engine: GraphEngine, worker: Worker, listener: JobNotificationListener)
  {
    try await client.query(PostgresQuery(unsafeSQL: TestNodeBook.effectsTable), logger: TestDatabase.logger)
    let queue = JobQueue(client: client, logger: TestDatabase.logger)
    let engine = GraphEngine(client: client, nodes: TestNode.all(book: book), queue: queue, logger: TestDatabase.logger)
    let wake = WakeSignal()
    let worker = Worker(
      queue: queue, handlers: [GraphEngine.jobKind: GraphJobHandler(engine: engine)],
      settings: .init(concurrency: 4, lease: .seconds(10), pollInterval: .seconds(30), maintenanceInterval: .seconds(3_600)),
      wake: wake, logger: TestDatabase.logger)
    return (engine, worker, JobNotificationListener(client: client, wake: wake, logger: TestDatabase.logger))
  }
}
