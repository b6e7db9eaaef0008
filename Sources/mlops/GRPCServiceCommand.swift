import ArgumentParser
import Assembly
import Logging
import ServiceKit
import ServiceLifecycle

/// Runs one stateless gRPC service until SIGTERM or SIGINT.
func runGRPCService(_ name: ServiceName) async throws {
  let environment = try ProcessEnvironment.load(label: name.rawValue)
  try environment.configuration.ensurePortsFree(services: [name], edge: false)
  let host = try DomainServices.host(
    name, configuration: environment.configuration, codegen: environment.codegen, logger: environment.logger)
  let group = ServiceGroup(
    configuration: .init(services: [host], gracefulShutdownSignals: [.sigterm, .sigint], logger: environment.logger))
  try await group.run()
}
