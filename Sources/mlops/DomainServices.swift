import Codegen
import Critics
import Foundation
import GRPCCore
import Logging
import Planner
import Policy
import Providers
import ServiceKit

/// Which domain service each gRPC process serves.
enum DomainServices {
  static func make(_ name: ServiceName, configuration: Configuration, logger: Logger) throws
    -> any RegistrableRPCService & NamedService
  {
    switch name {
    case .planner: PlannerService(engine: try planner(configuration: configuration, logger: logger))
    case .critics: CriticsService()
    case .policy: PolicyService(engine: policy(configuration: configuration, logger: logger))
    case .codegen: CodegenService()
    }
  }

  /// The planner with the configured provider (the rules unless MLOPS_LLM_PROVIDER says
  /// otherwise) and the coverage threshold.
  static func planner(configuration: Configuration, logger: Logger) throws -> PlannerEngine {
    let provider = ProviderFactory.make(
      configuration.provider, packs: try PlannerEngine.bundledPacks(),
      quarantineFolder: URL(fileURLWithPath: configuration.dataDirectory).appending(path: "quarantine"), logger: logger)
    if configuration.provider.kind != .deterministic {
      logger.info(
        "planner provider", metadata: ["provider": "\(provider.identity.name)", "model": "\(provider.identity.model)"])
    }
    return PlannerEngine(provider: provider, coverage: .init(threshold: configuration.coverageThreshold), logger: logger)
  }

  /// The built-in rule packs plus those in MLOPS_POLICY_DIR; a malformed custom pack is
  /// logged and skipped, and the service runs on without it.
  static func policy(configuration: Configuration, logger: Logger) -> PolicyEngine {
    let engine = PolicyEngine.withCustomPacks(from: configuration.policyDirectory.map { URL(fileURLWithPath: $0) })
    for error in engine.loadErrors {
      logger.error("custom rule pack not loaded", metadata: ["error": "\(error)"])
    }
    if configuration.policyDirectory != nil {
      logger.info("policy rule packs", metadata: ["packs": "\(engine.packs.map(\.label).joined(separator: ", "))"])
    }
    return engine
  }

  static func host(_ name: ServiceName, configuration: Configuration, logger: Logger) throws -> GRPCServiceHost {
    let address = configuration.address(of: name)
    return GRPCServiceHost(
      name: name.rawValue, address: address, services: [try make(name, configuration: configuration, logger: logger)],
      logger: logger,
      onListening: { port in Console.line("\(name.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) grpc://\(address.host):\(port)") }
    )
  }
}
