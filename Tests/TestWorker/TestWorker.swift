import ArgumentParser
import EdgeAPI
import EdgeRuntime
import Foundation
import Logging
import PostgresNIO
import ServiceKit
import ServiceLifecycle
import TestSupport

/// A worker process running the test nodes, so the runtime's tests can start several
/// separate workers and kill them. Reads DATABASE_URL; stops on SIGTERM.
@main
struct TestWorker: AsyncParsableCommand {
  @Option var concurrency = 4
  @Option(help: "Lease in milliseconds.") var leaseMs = 30_000
  @Option(help: "Reaper interval in milliseconds.") var maintenanceMs = 1_000
  @Option(help: "A node that sleeps inside its step.") var slowNode: String?
  @Option var slowMs = 0
  @Option(help: "A node that kills the process inside its step.") var crashNode: String?
  @Option var owner: String?
  @Flag(help: "coverage_check finds the brief insufficient, so the run asks a question.") var askQuestions = false

  func run() async throws {
    _ = try Telemetry.bootstrap(serviceName: "mlops-test-worker", level: .info, environment: [:])
    let logger = Logger(label: "test-worker")
    guard let text = ProcessInfo.processInfo.environment["DATABASE_URL"] else {
      throw ValidationError("DATABASE_URL must name the test database")
    }
    let url = try DatabaseURL(parsing: text)
    let client = PostgresClient(configuration: url.clientConfiguration, backgroundLogger: logger)
    let book = TestNodeBook()
    let slow = slowNode.flatMap(NodeName.init(rawValue:)).map { ($0, Duration.milliseconds(slowMs)) }
    let queue = JobQueue(client: client, logger: logger)
    let lease = Duration.milliseconds(leaseMs)
    let engine = GraphEngine(
      client: client,
      nodes: TestNode.all(
        book: book, briefSuffices: !askQuestions, slow: slow, crash: crashNode.flatMap(NodeName.init(rawValue:))), queue: queue,
      lease: lease, logger: logger)
    let wake = WakeSignal()
    let worker = Worker(
      queue: queue, handlers: [GraphEngine.jobKind: GraphJobHandler(engine: engine)],
      settings: .init(
        concurrency: concurrency, lease: lease, pollInterval: .seconds(2), maintenanceInterval: .milliseconds(maintenanceMs)),
      wake: wake, logger: logger, owner: owner)
    let group = ServiceGroup(
      configuration: .init(
        services: [
          .init(service: client),
          .init(service: JobNotificationListener(client: client, wake: wake, logger: logger)),
          .init(service: worker),
        ],
        gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    try await group.run()
    let counters = worker.counters.snapshot
    Console.line(
      "claimed=\(counters.claimed) succeeded=\(counters.succeeded) retried=\(counters.retried) dead=\(counters.dead) leases_lost=\(counters.leasesLost) released=\(counters.released)"
    )
  }
}
