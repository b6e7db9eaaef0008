import ArgumentParser
import Assembly
import ServiceKit

struct ServeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Run every service in one process: Planner, Critics, Policy, Codegen, Edge and its worker.",
    discussion: """
      Each service listens on its own loopback port and they talk real gRPC over HTTP/2, as \
      they do when deployed apart. With DATABASE_URL unset, an embedded PostgreSQL is started \
      under MLOPS_DATA_DIR (default ./.mlops) and stopped on exit; its data survives restarts.
      """)

  func run() async throws {
    let environment = try ProcessEnvironment.load(label: "serve")
    try environment.configuration.ensurePortsFree(services: ServiceName.allCases, edge: true)
    let hosts = try ServiceName.allCases.map {
      try DomainServices.host(
        $0, configuration: environment.configuration, codegen: environment.codegen, logger: environment.logger)
    }
    try await EdgeRuntime.run(environment: environment, role: .all, alongside: hosts)
  }
}
