import ArgumentParser
import Assembly
import ServiceKit

struct WorkerCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "worker",
    abstract: "Claim jobs and advance decision sets through the graph.",
    discussion: """
      Runs MLOPS_WORKER_CONCURRENCY executors against the job queue in DATABASE_URL (or the \
      embedded PostgreSQL). On SIGTERM it stops claiming, lets running jobs reach a safe point, \
      gives back what it holds and exits. Counters: GET /healthz/worker on MLOPS_WORKER_PORT.
      """)

  func run() async throws {
    let environment = try ProcessEnvironment.load(label: "worker")
    try environment.configuration.ensurePortsFree(services: [], edge: false, workerPort: environment.edge.worker.healthPort)
    try await EdgeRuntime.run(environment: environment, role: .worker)
  }
}
