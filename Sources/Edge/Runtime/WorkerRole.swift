import Logging
import PostgresNIO
import ServiceKit
import ServiceLifecycle

/// The worker role assembled: the graph engine over the service clients, the job queue, the
/// NOTIFY listener and the worker itself.
package struct WorkerRole: Sendable {
  package let worker: Worker
  package let queue: JobQueue
  package let services: [any Service]

  package init(
    database: PostgresClient, nodes: [any GraphNode], configuration: WorkerConfiguration, retention: RetentionPass? = nil,
    logger: Logger
  ) {
    let lease = Duration.seconds(configuration.leaseSeconds)
    let queue = JobQueue(client: database, logger: logger)
    let engine = GraphEngine(
      client: database, nodes: nodes, queue: queue, lease: lease,
      maxStepDuration: .seconds(configuration.maxStepSeconds), traceLink: TraceLink(template: configuration.traceURL),
      logger: logger)
    let wake = WakeSignal()
    worker = Worker(
      queue: queue,
      handlers: [GraphEngine.jobKind: GraphJobHandler(engine: engine, checkpointsKept: configuration.checkpointsKept)],
      settings: .init(
        concurrency: configuration.concurrency, lease: lease, pollInterval: .seconds(configuration.pollSeconds)),
      wake: wake, logger: logger, upkeep: retention.map { pass in [{ try await pass.runIfDue() }] } ?? [])
    self.queue = queue
    services = [JobNotificationListener(client: database, wake: wake, logger: logger), worker]
  }
}
