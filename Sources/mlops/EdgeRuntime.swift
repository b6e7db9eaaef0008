import Edge
import Foundation
import Logging
import PostgresNIO
import ServiceKit
import ServiceLifecycle

/// Runs Edge (and, for `mlops serve`, the gRPC services beside it) until SIGTERM or SIGINT,
/// then stops the embedded PostgreSQL if this process started it.
enum EdgeRuntime {
  static func run(environment: ProcessEnvironment, alongside hosts: [GRPCServiceHost] = []) async throws {
    let configuration = environment.configuration
    let logger = environment.logger
    let database = try await DatabaseBootstrap.prepare(configuration: configuration, logger: logger)
    do {
      let client = PostgresClient(configuration: database.url.clientConfiguration, backgroundLogger: logger)
      let downstream = try ServiceName.allCases.map {
        try GRPCServiceClient(service: $0, address: configuration.address(of: $0))
      }
      let app = try EdgeApplication.build(
        configuration: configuration, database: client, downstream: downstream,
        buildInfo: await BuildInfo.current(), logger: logger,
        onServerRunning: { port in Console.line("edge     http://\(configuration.httpHost):\(port)") }
      )
      let group = ServiceGroup(
        configuration: .init(
          services: hosts.map { $0 as any Service } + [app],
          gracefulShutdownSignals: [.sigterm, .sigint],
          logger: logger))
      try await group.run()
    } catch {
      await database.release(logger: logger)
      throw error
    }
    await database.release(logger: logger)
  }
}
