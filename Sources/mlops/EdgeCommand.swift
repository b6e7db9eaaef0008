import ArgumentParser
import ServiceKit

struct EdgeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "edge",
    abstract: "Serve the Edge HTTP API at MLOPS_HTTP_HOST:MLOPS_HTTP_PORT.",
    discussion: """
      Uses DATABASE_URL, or an embedded PostgreSQL under MLOPS_DATA_DIR when it is unset, and \
      applies pending migrations before accepting requests. Reaches the gRPC services at \
      their MLOPS_<SERVICE>_ADDR addresses.
      """)

  func run() async throws {
    let environment = try ProcessEnvironment.load(label: "edge")
    try environment.configuration.ensurePortsFree(services: [], edge: true)
    try await EdgeRuntime.run(environment: environment)
  }
}
