import Foundation
import Logging
import ServiceKit

/// What every subcommand starts from: the configuration and a JSON-lines logger.
struct ProcessEnvironment {
  var configuration: Configuration
  var logger: Logger

  static func load(label: String) throws -> ProcessEnvironment {
    let configuration = try Configuration(environment: ProcessInfo.processInfo.environment)
    LogBootstrap.bootstrap(level: configuration.logLevel)
    var logger = Logger(label: label)
    logger.logLevel = configuration.logLevel
    return ProcessEnvironment(configuration: configuration, logger: logger)
  }
}
