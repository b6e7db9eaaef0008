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
package enum DomainServices {
  package static func make(
    _ name: ServiceName, configuration: Configuration, codegen: CodegenConfiguration, logger: Logger
  ) throws
    -> any RegistrableRPCService & NamedService
  {
    switch name {
    case .planner: PlannerService(engine: try planner(configuration: configuration, logger: logger))
    case .critics: CriticsService()
    case .policy: PolicyService(engine: policy(configuration: configuration, logger: logger))
    case .codegen:
      try codegenService(configuration: configuration, codegen: codegen, logger: logger)
    }
  }

  /// Codegen with its templates, validators and signing key, and the model that writes the
  /// marked regions when MLOPS_CODEGEN_PROVIDER is llm.
  package static func codegenService(
    configuration: Configuration, codegen: CodegenConfiguration, logger: Logger
  ) throws -> CodegenService {
    let validators = ValidatorSuite(configuration: try validators(configuration, codegen.validators))
    let abandoned = ValidatorSuite.removeAbandonedCheckouts()
    if abandoned > 0 {
      logger.notice("removed the checkouts of killed validations", metadata: ["checkouts": "\(abandoned)"])
    }
    var regionWriter: ModelRegionWriter?
    if configuration.codeProvider == .llm, let transport = ProviderFactory.transport(configuration.provider) {
      regionWriter = ModelRegionWriter(
        transport: transport, validators: validators, attempts: configuration.codeAttempts,
        quarantine: Quarantine(folder: configuration.quarantineFolder, logger: logger),
        logger: logger)
      logger.info(
        "codegen provider", metadata: ["provider": "\(transport.identity.name)", "model": "\(transport.identity.model)"])
    }
    return CodegenService(
      generator: RepositoryGenerator(
        templates: try codegen.templatesDirectory.map { try TemplateLibrary(directory: URL(fileURLWithPath: $0)) }
          ?? .bundled()),
      validators: validators,
      signer: try codegen.validators.signingKey.map(ManifestSigner.init(secret:))
        ?? ManifestSigner.persisted(
          at: URL(fileURLWithPath: configuration.dataDirectory).appending(path: "codegen-signing-key")),
      regionWriter: regionWriter, logger: logger)
  }

  /// The planner with the configured provider (the rules unless MLOPS_LLM_PROVIDER says
  /// otherwise) and the coverage threshold.
  package static func planner(configuration: Configuration, logger: Logger) throws -> PlannerEngine {
    let provider = ProviderFactory.make(
      configuration.provider, packs: try PlannerEngine.bundledPacks(),
      quarantineFolder: configuration.quarantineFolder, logger: logger)
    if configuration.provider.kind != .deterministic {
      logger.info(
        "planner provider", metadata: ["provider": "\(provider.identity.name)", "model": "\(provider.identity.model)"])
    }
    return PlannerEngine(provider: provider, coverage: .init(threshold: configuration.coverageThreshold), logger: logger)
  }

  /// The built-in rule packs plus those in MLOPS_POLICY_DIR; a malformed custom pack is
  /// logged and skipped, and the service runs on without it.
  package static func policy(configuration: Configuration, logger: Logger) -> PolicyEngine {
    let engine = PolicyEngine.withCustomPacks(from: configuration.policyDirectory.map { URL(fileURLWithPath: $0) })
    for error in engine.loadErrors {
      logger.error("custom rule pack not loaded", metadata: ["error": "\(error)"])
    }
    if configuration.policyDirectory != nil {
      logger.info("policy rule packs", metadata: ["packs": "\(engine.packs.map(\.label).joined(separator: ", "))"])
    }
    return engine
  }

  /// The validators' tools: MLOPS_TOOLS_DIR, else the project's `.venv/bin` when there is one.
  package static func validators(
    _ configuration: Configuration, _ validators: ValidatorConfiguration
  ) throws -> ValidatorSuite.Configuration {
    var directories: [String] = []
    if let tools = validators.toolsDirectory {
      directories.append(tools)
    } else if FileManager.default.fileExists(atPath: ".venv/bin") {
      directories.append(URL(fileURLWithPath: ".venv/bin").standardizedFileURL.path)
    }
    var only: Set<ValidatorSuite.Validator>?
    if let names = validators.only {
      only = try Set(
        names.map { name in
          guard let validator = ValidatorSuite.Validator(rawValue: name) else {
            throw ConfigurationError(
              variable: "MLOPS_VALIDATORS", value: name,
              expected: ValidatorSuite.Validator.allCases.map(\.rawValue).joined(separator: ", "))
          }
          return validator
        })
    }
    return ValidatorSuite.Configuration(
      toolDirectories: directories, terraformPluginDirectory: validators.terraformPluginDirectory,
      timeoutSeconds: configuration.validatorTimeoutSeconds,
      cacheDirectory: URL(
        fileURLWithPath: validators.cacheDirectory ?? configuration.dataDirectory + "/validator-cache"
      ).standardizedFileURL,
      only: only)
  }

  package static func host(
    _ name: ServiceName, configuration: Configuration, codegen: CodegenConfiguration, logger: Logger
  ) throws -> GRPCServiceHost {
    let address = configuration.address(of: name)
    return GRPCServiceHost(
      name: name.rawValue, address: address, tls: try configuration.grpcTransportTLS(),
      services: [try make(name, configuration: configuration, codegen: codegen, logger: logger)],
      logger: logger,
      onListening: { port in
        Console.line("\(name.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) grpc://\(address.host):\(port)")
      }
    )
  }
}
