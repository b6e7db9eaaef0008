import Foundation
import Logging
import ServiceKit
import ServiceLifecycle
import Synchronization
import Tracing

/// The worker role: one loop claims jobs for N executor slots, each job runs under a lease
/// that a heartbeat renews, and how each ended is recorded. A maintenance loop returns expired
/// leases to the queue and runs each handler's upkeep (the graph prunes finished runs'
/// checkpoints) on its own interval. On graceful shutdown it stops claiming, lets running jobs
/// reach a safe point, gives back what it holds, and returns.
package final class Worker: Service, Sendable {
  package struct Settings: Sendable {
    package var concurrency: Int
    package var lease: Duration
    package var pollInterval: Duration
    package var maintenanceInterval: Duration

    package init(
      concurrency: Int = 4, lease: Duration = .seconds(30), pollInterval: Duration = .seconds(5),
      maintenanceInterval: Duration = .seconds(10)
    ) {
      self.concurrency = concurrency
      self.lease = lease
      self.pollInterval = pollInterval
      self.maintenanceInterval = maintenanceInterval
    }
  }

  package let owner: String
  package let counters = WorkerCounters()
  package let wake: WakeSignal
  private let queue: JobQueue
  private let handlers: [String: any JobHandler]
  private let settings: Settings
  private let logger: Logger
  private let stopping = Atomic<Bool>(false)
  /// Jobs being handled, of `settings.concurrency` slots: counted before a job's task starts,
  /// so the next claim sees the slot taken (`counters.running` moves only once the task runs).
  private let busy = Atomic<Int>(0)
  /// Signalled when a job's slot frees up, and on shutdown.
  private let slotFreed = WakeSignal()
  /// Signalled on shutdown, for the maintenance loop's wait.
  private let stopped = WakeSignal()
  /// Upkeep beyond the handlers' own, run in each maintenance pass (retention).
  private let upkeep: [@Sendable () async throws -> Void]

  package init(
    queue: JobQueue, handlers: [String: any JobHandler], settings: Settings,
    wake: WakeSignal, logger: Logger, owner: String? = nil, upkeep: [@Sendable () async throws -> Void] = []
  ) {
    self.queue = queue
    self.handlers = handlers
    self.upkeep = upkeep
    self.settings = settings
    self.wake = wake
    self.logger = logger
    self.owner = owner ?? "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UUID().uuidString.prefix(8))"
  }

  package var isStopping: Bool { stopping.load(ordering: .relaxed) }

  package func run() async throws {
    try await withGracefulShutdownHandler {
      try await withThrowingDiscardingTaskGroup { group in
        group.addTask { await self.maintenanceLoop() }
        await self.claimLoop(&group)
      }
    } onGracefulShutdown: {
      self.stopping.store(true, ordering: .relaxed)
      self.wake.signal()
      self.slotFreed.signal()
      self.stopped.signal()
    }
    logger.info("worker stopped", metadata: ["owner": "\(owner)"])
  }

  // MARK: Executors

  /// Claims for every free slot in one statement and hands each job to a task of its own. Only
  /// this loop waits for job notifications, so a queued job costs one claim, not one per idle
  /// executor.
  private func claimLoop(_ group: inout ThrowingDiscardingTaskGroup<any Error>) async {
    let slots = max(settings.concurrency, 1)
    while !isStopping && !Task.isCancelled {
      let freedGeneration = slotFreed.generation
      let free = slots - busy.load(ordering: .relaxed)
      guard free > 0 else {
        await slotFreed.wait(after: freedGeneration, timeout: settings.pollInterval)
        continue
      }
      let generation = wake.generation
      let jobs: [ClaimedJob]
      do {
        let started = ContinuousClock.now
        jobs = try await queue.claim(owner: owner, limit: free, lease: settings.lease)
        WorkerMetrics.claimed(after: ContinuousClock.now - started, found: !jobs.isEmpty)
        counters.update { $0.claimQueries += 1 }
      } catch {
        logger.warning("claim failed", metadata: ["error": "\(FailureText.describe(error))"])
        await wake.wait(after: generation, timeout: settings.pollInterval)
        continue
      }
      for job in jobs {
        busy.add(1, ordering: .relaxed)
        group.addTask {
          await self.execute(job)
          self.busy.subtract(1, ordering: .relaxed)
          self.slotFreed.signal()
        }
      }
      // Fewer than asked for: nothing else is ready until a notification (or the slow poll).
      if jobs.count < free { await wake.wait(after: generation, timeout: settings.pollInterval) }
    }
  }

  /// Handles `job` in a span of its own, continuing the trace of the request that queued it,
  /// with its decision set in every log line.
  private func execute(_ job: ClaimedJob) async {
    var parent = TraceCarrier.context(traceparent: job.traceContext)
    parent.work = WorkContext(decisionSetID: job.threadID.lowercaseString)
    let span = startSpan("job \(job.kind)", context: parent, ofKind: .consumer)
    span.attributes["mlops.job.id"] = Int(job.id)
    span.attributes["mlops.job.attempt"] = job.attempt
    span.attributes["mlops.decision_set.id"] = job.threadID.lowercaseString
    defer { span.end() }
    await ServiceContext.withValue(span.context) { await handle(job) }
  }

  private func handle(_ job: ClaimedJob) async {
    counters.update {
      $0.claimed += 1
      $0.running += 1
    }
    defer { counters.update { $0.running -= 1 } }
    var logger = self.logger
    logger[metadataKey: "thread_id"] = "\(job.threadID)"
    logger[metadataKey: "job_id"] = "\(job.id)"
    guard let handler = handlers[job.kind] else {
      await recordFailure(job, error: "no handler for job kind \(job.kind)", permanent: true, handler: nil, logger: logger)
      return
    }
    do {
      let outcome = try await withThrowingTaskGroup(of: JobHandlingOutcome?.self) { group in
        group.addTask {
          try await handler.handle(job, queue: self.queue) { self.isStopping }
        }
        group.addTask { [logger] in
          // The heartbeat: only a lost lease stops the handler, never a renewal that failed.
          try await LeaseKeeper(lease: self.settings.lease, logger: logger) {
            try await self.queue.heartbeat(job, lease: self.settings.lease)
          }.run()
          return nil
        }
        defer { group.cancelAll() }
        return try await group.next() ?? nil
      }
      switch outcome {
      case .paused?:
        try await queue.release(job)
        counters.update { $0.released += 1 }
      default:
        counters.update { $0.succeeded += 1 }
      }
    } catch let error where error is LeaseKeeper.LeaseLost || handler.lostItsLease(error) {
      counters.update { $0.leasesLost += 1 }
      logger.warning("lease lost; another worker owns the job now")
    } catch {
      await recordFailure(
        job, error: FailureText.describe(error),
        permanent: FailureClassification.isPermanent(error) || handler.isPermanent(error), handler: handler, logger: logger)
    }
  }

  private func recordFailure(
    _ job: ClaimedJob, error: String, permanent: Bool, handler: (any JobHandler)?, logger: Logger
  ) async {
    do {
      switch try await queue.fail(job, error: error, permanent: permanent, onDeath: handler.map { $0.jobDied }) {
      case .retryScheduled(let at):
        counters.update { $0.retried += 1 }
        logger.warning("job failed; retry scheduled", metadata: ["error": "\(error)", "retry_at": "\(at)"])
      case .dead:
        counters.update { $0.dead += 1 }
        logger.error("job failed on its last attempt", metadata: ["error": "\(error)"])
      case .leaseLost:
        counters.update { $0.leasesLost += 1 }
      }
    } catch {
      logger.error("could not record a job failure; its lease will expire", metadata: ["error": "\(error)"])
    }
  }

  // MARK: Maintenance

  private func maintenanceLoop() async {
    var backlogSampled: ContinuousClock.Instant?
    while !isStopping && !Task.isCancelled {
      // Taken before the work, so a shutdown signalled during it ends the wait below at once.
      let generation = stopped.generation
      counters.update { $0.maintenancePasses += 1 }
      do {
        let handlers = self.handlers
        let reclaimed = try await queue.reapExpiredLeases { job, connection in
          try await handlers[job.kind]?.jobDied(job, on: connection)
        }
        if reclaimed > 0 { logger.info("reclaimed expired leases", metadata: ["jobs": "\(reclaimed)"]) }
        // The backlog gauges need no more than one look in 5 s, however short the interval.
        if backlogSampled.map({ ContinuousClock.now - $0 >= .seconds(5) }) ?? true {
          backlogSampled = .now
          let backlog = try await queue.backlog()
          WorkerMetrics.backlog(
            ready: backlog.ready, running: backlog.running, oldestReadySeconds: backlog.oldestReadySeconds)
        }
        for handler in handlers.values { try await handler.maintain() }
        for task in upkeep { try await task() }
      } catch {
        logger.warning("maintenance failed", metadata: ["error": "\(FailureText.describe(error))"])
      }
      await stopped.wait(after: generation, timeout: settings.maintenanceInterval)
    }
  }
}
