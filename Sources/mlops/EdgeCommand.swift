import ArgumentParser
import Assembly
import ServiceKit

struct EdgeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "edge",
    abstract: "Serve the Edge HTTP API at MLOPS_HTTP_HOST:MLOPS_HTTP_PORT, and run the worker.",
    discussion: """
      Uses DATABASE_URL, or an embedded PostgreSQL under MLOPS_DATA_DIR when it is unset, and \
      applies pending migrations before serving. Reaches the gRPC services at their \
      MLOPS_<SERVICE>_ADDR addresses. --role api serves the API without a worker; --role \
      worker is `mlops worker`.
      """)

  @Option(help: "What this process runs: all (API and worker), api or worker.")
  var role: EdgeRole = .all

  func run() async throws {
    let environment = try ProcessEnvironment.load(label: "edge")
    try environment.configuration.ensurePortsFree(
      services: [], edge: role != .worker, workerPort: role == .worker ? environment.edge.worker.healthPort : nil)
    try await EdgeRuntime.run(environment: environment, role: role)
  }
}
