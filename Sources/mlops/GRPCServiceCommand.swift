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
  let metrics = environment.configuration.metricsAddress(of: name)
  let services: [any Service] =
    [environment.tracing].compactMap { $0 } + [
      MetricsServer(
        address: metrics, required: environment.configuration.metricsAddress != nil, logger: environment.logger),
      host,
    ]
  try await ServiceGroup.process(services: services, logger: environment.logger).run()
}
