import Codegen
import EdgeRuntime
import Foundation
import Logging
import ServiceKit
import ServiceLifecycle

/// What every subcommand starts from: the configuration (the process-wide one, Edge's and
/// Codegen's, all read at start so a bad value stops any command) and a JSON-lines logger.
package struct ProcessEnvironment {
  package var configuration: Configuration
  package var edge: EdgeConfiguration
  package var codegen: CodegenConfiguration
  package var logger: Logger
  /// Exports spans when the `OTEL_*` variables ask for it; run it first in the service group
  /// so it stops last and flushes what the others recorded.
  package var tracing: (any Service)?

  package static func load(label: String) throws -> ProcessEnvironment {
    let variables = ProcessInfo.processInfo.environment
    let configuration = try Configuration(environment: variables)
    let edge = try EdgeConfiguration(environment: variables, configuration: configuration)
    let tracing = try Telemetry.bootstrap(
      serviceName: "mlops-\(label)", level: configuration.logLevel, environment: variables)
    var logger = Logger(label: label)
    logger.logLevel = configuration.logLevel
    return ProcessEnvironment(
      configuration: configuration, edge: edge, codegen: CodegenConfiguration(environment: variables), logger: logger,
      tracing: tracing)
  }
}
