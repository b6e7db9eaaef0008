import Codegen
import EdgeRuntime
import Foundation
import Logging
import ServiceKit

/// What every subcommand starts from: the configuration (the process-wide one, Edge's and
/// Codegen's, all read at start so a bad value stops any command) and a JSON-lines logger.
package struct ProcessEnvironment {
  package var configuration: Configuration
  package var edge: EdgeConfiguration
  package var codegen: CodegenConfiguration
  package var logger: Logger

  package static func load(label: String) throws -> ProcessEnvironment {
    let variables = ProcessInfo.processInfo.environment
    let configuration = try Configuration(environment: variables)
    let edge = try EdgeConfiguration(environment: variables, configuration: configuration)
    LogBootstrap.bootstrap(level: configuration.logLevel)
    var logger = Logger(label: label)
    logger.logLevel = configuration.logLevel
    return ProcessEnvironment(
      configuration: configuration, edge: edge, codegen: CodegenConfiguration(environment: variables), logger: logger)
  }
}
