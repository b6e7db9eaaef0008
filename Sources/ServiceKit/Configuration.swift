import Foundation
import Logging

/// What every process reads from its environment: where the database and the services are,
/// logging, request limits and deadlines, and the planner's and policy's settings. Edge
/// (`EdgeConfiguration`) and Codegen (`CodegenConfiguration`) read their own. README.md
/// documents each variable; keep the two in step.
public struct Configuration: Sendable, Equatable {
  /// `DATABASE_URL`; nil means the embedded PostgreSQL under `dataDirectory`.
  public var databaseURL: String?
  /// `DATABASE_PASSWORD`: the password of `DATABASE_URL`'s user, replacing any in the URL, so
  /// a secret store can hand over the password alone (ECS injects the RDS-managed secret's
  /// `password` key). Only with `DATABASE_URL`.
  public var databasePassword: String?
  /// `MLOPS_DATA_DIR`, default `./.mlops`.
  public var dataDirectory: String
  /// `MLOPS_HTTP_HOST`, default `127.0.0.1`.
  public var httpHost: String
  /// `MLOPS_HTTP_PORT`, default 8080.
  public var httpPort: Int
  /// `MLOPS_<SERVICE>_ADDR`, default `127.0.0.1:<default port>`.
  public var serviceAddresses: [ServiceName: ServiceAddress]
  /// Further replicas Edge reaches a service at: `MLOPS_<SERVICE>_ADDR=host:port,host:port`
  /// lists them after the first (IPv4 literals; calls go round robin, and a call that finds a
  /// replica gone is retried on another). A service listens on the first address only.
  public var serviceReplicas: [ServiceName: [ServiceAddress]] = [:]
  /// `MLOPS_METRICS_ADDR`: where a service run alone (`mlops planner`, ...) serves `/metrics`;
  /// default its gRPC host and port + 1000. Edge serves it on its HTTP port.
  public var metricsAddress: ServiceAddress?
  /// `MLOPS_TLS_CA_FILE`, `MLOPS_TLS_CERT_FILE`, `MLOPS_TLS_KEY_FILE`: the mutual TLS between
  /// Edge and the services, all three or none; none means the local CA in the data directory.
  public var tlsFiles: ServiceTLS?
  /// `MLOPS_GRPC_TLS`: who secures the calls between Edge and the services. `mutual` (the
  /// default): the processes themselves, with the certificates above. `mesh`: a service mesh
  /// that must read HTTP/2 to balance each call (ECS Service Connect with `appProtocol grpc`,
  /// its TLS from a private CA between tasks); the processes speak plaintext to their local
  /// proxy. Never set with the `MLOPS_TLS_*` files.
  public var grpcSecurity = GRPCSecurity.mutual
  /// `MLOPS_QUARANTINE`: where rejected model replies go, `folder` (the default, one file each
  /// under the data directory's `quarantine/`) or `log` (the whole entry in its log line, for
  /// processes whose disk does not outlive them).
  public var quarantine = QuarantineTarget.folder
  /// `MLOPS_LOG_LEVEL`, default `info`.
  public var logLevel: Logger.Level
  /// `MLOPS_MAX_BODY_BYTES`, default 1 MiB.
  public var maxBodyBytes: Int
  /// The orchestration provider (`MLOPS_LLM_*`).
  public var provider = ProviderConfiguration()
  /// `MLOPS_COVERAGE_THRESHOLD`: the share of weighted required fields that must be known.
  public var coverageThreshold = 0.75
  /// `MLOPS_POLICY_DIR`: a folder of custom rule packs applied beside the built-in ones.
  public var policyDirectory: String?
  /// `MLOPS_RPC_TIMEOUT_SECONDS`: the deadline of each call Edge makes to a service (Codegen's
  /// Validate gets room for every validator's own timeout on top).
  public var rpcTimeoutSeconds = 30
  /// `MLOPS_HTTP_IDLE_TIMEOUT_SECONDS`: a connection that sends no byte of a request for this
  /// long (headers or body half read, or idle between requests) is closed.
  public var httpIdleTimeoutSeconds = 60
  /// `MLOPS_VALIDATOR_TIMEOUT_SECONDS`: the most one validator tool may take, default 300.
  /// Shared: Codegen bounds each tool by it, and Edge gives a Validate call (and its step)
  /// `validateDeadlineSeconds`.
  public var validatorTimeoutSeconds = 300
  /// How long one Validate call may take: the longer lane runs five tools one after the
  /// other, each within `validatorTimeoutSeconds`.
  public var validateDeadlineSeconds: Int { validatorTimeoutSeconds * 5 + 60 }
  /// `MLOPS_CODEGEN_PROVIDER`: who writes the bundle's marked code regions, `templates` (the
  /// default) or `llm` (the model `MLOPS_LLM_*` names, kept only when the validators pass).
  /// Shared: Edge gives Generate `generateDeadlineSeconds`.
  public var codeProvider = CodeProvider.templates
  /// `MLOPS_CODEGEN_ATTEMPTS`: model replies tried (each one validated) before Codegen keeps
  /// the templates' code, default 2.
  public var codeAttempts = 2

  public enum QuarantineTarget: String, Sendable {
    case folder
    case log
  }

  public enum GRPCSecurity: String, Sendable, CaseIterable {
    case mutual
    case mesh
  }

  public enum CodeProvider: String, Sendable {
    case templates
    case llm
  }

  /// How long one Generate call may take: rendering, and with a model provider each attempt's
  /// model call plus a validation of the bundle (its Python lane) the code must pass.
  public var generateDeadlineSeconds: Int {
    let rendering = max(rpcTimeoutSeconds, 60)
    guard codeProvider == .llm else { return rendering }
    return rendering + codeAttempts * (provider.timeoutSeconds + validateDeadlineSeconds)
  }

  public static let defaults = Configuration(
    databaseURL: nil,
    dataDirectory: "./.mlops",
    httpHost: "127.0.0.1",
    httpPort: 8080,
    serviceAddresses: Dictionary(
      uniqueKeysWithValues: ServiceName.allCases.map {
        ($0, ServiceAddress(host: "127.0.0.1", port: $0.defaultPort))
      }
    ),
    logLevel: .info,
    maxBodyBytes: 1 << 20
  )

  public init(
    databaseURL: String?,
    dataDirectory: String,
    httpHost: String,
    httpPort: Int,
    serviceAddresses: [ServiceName: ServiceAddress],
    logLevel: Logger.Level,
    maxBodyBytes: Int
  ) {
    self.databaseURL = databaseURL
    self.dataDirectory = dataDirectory
    self.httpHost = httpHost
    self.httpPort = httpPort
    self.serviceAddresses = serviceAddresses
    self.logLevel = logLevel
    self.maxBodyBytes = maxBodyBytes
  }

  /// Reads the environment; an empty variable counts as unset.
  public init(environment: [String: String]) throws(ConfigurationError) {
    let reader = EnvironmentReader(environment)
    let value = reader.value
    func port(_ name: String, default fallback: Int) throws(ConfigurationError) -> Int {
      try reader.port(name, default: fallback)
    }
    func positive(_ name: String, default fallback: Int) throws(ConfigurationError) -> Int {
      try reader.positive(name, default: fallback)
    }

    var configuration = Configuration.defaults
    configuration.databaseURL = value("DATABASE_URL")
    configuration.databasePassword = value("DATABASE_PASSWORD")
    if configuration.databasePassword != nil, configuration.databaseURL == nil {
      throw ConfigurationError(
        variable: "DATABASE_PASSWORD", value: "***",
        expected: "unset without DATABASE_URL (the embedded PostgreSQL keeps its own)")
    }
    configuration.dataDirectory = value("MLOPS_DATA_DIR") ?? configuration.dataDirectory
    configuration.httpHost = value("MLOPS_HTTP_HOST") ?? configuration.httpHost
    configuration.httpPort = try port("MLOPS_HTTP_PORT", default: configuration.httpPort)
    for service in ServiceName.allCases {
      guard let text = value(service.addressVariable) else { continue }
      let addresses = text.split(separator: ",", omittingEmptySubsequences: false).map {
        ServiceAddress(parsing: String($0))
      }
      guard let first = addresses.first, let address = first, !addresses.contains(nil),
        addresses.count == 1 || addresses.allSatisfy({ $0?.isIPv4Literal == true })
      else {
        throw ConfigurationError(
          variable: service.addressVariable, value: text,
          expected: "host:port, e.g. 127.0.0.1:\(service.defaultPort), or a list of IPv4 host:port replicas")
      }
      configuration.serviceAddresses[service] = address
      configuration.serviceReplicas[service] = Array(addresses.dropFirst().compactMap { $0 })
    }
    if let text = value("MLOPS_METRICS_ADDR") {
      guard let address = ServiceAddress(parsing: text) else {
        throw ConfigurationError(variable: "MLOPS_METRICS_ADDR", value: text, expected: "host:port, e.g. 127.0.0.1:51051")
      }
      configuration.metricsAddress = address
    }
    let tlsVariables = ["MLOPS_TLS_CA_FILE", "MLOPS_TLS_CERT_FILE", "MLOPS_TLS_KEY_FILE"]
    let tlsValues = tlsVariables.map(value)
    if let ca = tlsValues[0], let certificate = tlsValues[1], let key = tlsValues[2] {
      configuration.tlsFiles = ServiceTLS(caFile: ca, certificateFile: certificate, keyFile: key)
    } else if let missing = tlsVariables.indices.first(where: { tlsValues[$0] == nil }), tlsValues.contains(where: { $0 != nil })
    {
      throw ConfigurationError(
        variable: tlsVariables[missing], value: "",
        expected: "a PEM file: MLOPS_TLS_CA_FILE, MLOPS_TLS_CERT_FILE and MLOPS_TLS_KEY_FILE are set together")
    }
    configuration.quarantine = try reader.choice(
      "MLOPS_QUARANTINE", default: configuration.quarantine, expected: "folder or log")
    configuration.grpcSecurity = try reader.choice(
      "MLOPS_GRPC_TLS", default: configuration.grpcSecurity, expected: "mutual or mesh")
    if configuration.grpcSecurity == .mesh, configuration.tlsFiles != nil {
      throw ConfigurationError(
        variable: "MLOPS_GRPC_TLS", value: "mesh",
        expected:
          "mutual when MLOPS_TLS_CA_FILE, MLOPS_TLS_CERT_FILE and MLOPS_TLS_KEY_FILE are set (mesh leaves TLS to the proxy)")
    }
    if let text = value("MLOPS_LOG_LEVEL") {
      guard let level = Logger.Level(rawValue: text.lowercased()) else {
        throw ConfigurationError(
          variable: "MLOPS_LOG_LEVEL", value: text,
          expected: Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))
      }
      configuration.logLevel = level
    }
    configuration.httpIdleTimeoutSeconds = try positive(
      "MLOPS_HTTP_IDLE_TIMEOUT_SECONDS", default: configuration.httpIdleTimeoutSeconds)
    if let text = value("MLOPS_COVERAGE_THRESHOLD") {
      guard let threshold = Double(text), threshold > 0, threshold <= 1 else {
        throw ConfigurationError(variable: "MLOPS_COVERAGE_THRESHOLD", value: text, expected: "a number above 0 and at most 1")
      }
      configuration.coverageThreshold = threshold
    }
    if let text = value("MLOPS_LLM_PROVIDER") {
      guard let kind = ProviderConfiguration.Kind(rawValue: text.lowercased()) else {
        throw ConfigurationError(variable: "MLOPS_LLM_PROVIDER", value: text, expected: "deterministic, openai or anthropic")
      }
      configuration.provider.kind = kind
    }
    configuration.policyDirectory = value("MLOPS_POLICY_DIR")
    configuration.provider.baseURL = value("MLOPS_LLM_BASE_URL")
    configuration.provider.model = value("MLOPS_LLM_MODEL")
    configuration.provider.apiKey = value("MLOPS_LLM_API_KEY")
    configuration.provider.maxAttempts = try positive("MLOPS_LLM_MAX_ATTEMPTS", default: configuration.provider.maxAttempts)
    configuration.provider.breakerFailures = try positive(
      "MLOPS_LLM_BREAKER_FAILURES", default: configuration.provider.breakerFailures)
    configuration.provider.breakerCooldownSeconds = try positive(
      "MLOPS_LLM_BREAKER_COOLDOWN_SECONDS", default: configuration.provider.breakerCooldownSeconds)
    configuration.provider.timeoutSeconds = try positive(
      "MLOPS_LLM_TIMEOUT_SECONDS", default: configuration.provider.timeoutSeconds)
    if configuration.provider.kind != .deterministic {
      guard configuration.provider.model != nil else {
        throw ConfigurationError(
          variable: "MLOPS_LLM_MODEL", value: "",
          expected: "a model name when MLOPS_LLM_PROVIDER is \(configuration.provider.kind.rawValue)")
      }
      guard configuration.provider.apiKey != nil else {
        throw ConfigurationError(
          variable: "MLOPS_LLM_API_KEY", value: "",
          expected: "an API key when MLOPS_LLM_PROVIDER is \(configuration.provider.kind.rawValue)")
      }
    }
    if let text = value("MLOPS_CODEGEN_PROVIDER") {
      guard let provider = CodeProvider(rawValue: text.lowercased()) else {
        throw ConfigurationError(variable: "MLOPS_CODEGEN_PROVIDER", value: text, expected: "templates or llm")
      }
      guard provider == .templates || configuration.provider.kind != .deterministic else {
        throw ConfigurationError(
          variable: "MLOPS_CODEGEN_PROVIDER", value: text,
          expected: "templates, or llm with MLOPS_LLM_PROVIDER set to openai or anthropic")
      }
      configuration.codeProvider = provider
    }
    configuration.codeAttempts = try positive("MLOPS_CODEGEN_ATTEMPTS", default: configuration.codeAttempts)
    configuration.rpcTimeoutSeconds = try positive("MLOPS_RPC_TIMEOUT_SECONDS", default: configuration.rpcTimeoutSeconds)
    configuration.validatorTimeoutSeconds = try positive(
      "MLOPS_VALIDATOR_TIMEOUT_SECONDS", default: configuration.validatorTimeoutSeconds)
    if let text = value("MLOPS_MAX_BODY_BYTES") {
      guard let bytes = Int(text), bytes > 0 else {
        throw ConfigurationError(variable: "MLOPS_MAX_BODY_BYTES", value: text, expected: "a positive number of bytes")
      }
      configuration.maxBodyBytes = bytes
    }
    self = configuration
  }

  public func address(of service: ServiceName) -> ServiceAddress {
    serviceAddresses[service] ?? ServiceAddress(host: "127.0.0.1", port: service.defaultPort)
  }

  /// Every replica Edge calls `service` at: its address, then the further replicas.
  public func addresses(of service: ServiceName) -> [ServiceAddress] {
    [address(of: service)] + (serviceReplicas[service] ?? [])
  }

  /// Where a standalone `service` serves `/metrics`.
  public func metricsAddress(of service: ServiceName) -> ServiceAddress {
    let grpc = address(of: service)
    return metricsAddress ?? ServiceAddress(host: grpc.host, port: grpc.port == 0 ? 0 : grpc.port + 1000)
  }

  /// The certificates Edge and the services use between them: the configured files, or the
  /// local CA's (made in the data directory on first use).
  public func serviceTLS() throws -> ServiceTLS {
    try tlsFiles ?? LocalCertificateAuthority.ensure(dataDirectory: dataDirectory)
  }

  /// The quarantine's folder, nil when rejected replies go to the log.
  public var quarantineFolder: URL? {
    quarantine == .log ? nil : URL(fileURLWithPath: dataDirectory).appending(path: "quarantine")
  }

  /// What the gRPC server and clients secure their connections with: the certificates, or
  /// nil under `MLOPS_GRPC_TLS=mesh`, where the local proxy does.
  public func grpcTransportTLS() throws -> ServiceTLS? {
    grpcSecurity == .mesh ? nil : try serviceTLS()
  }
}

/// Which provider makes the planner's orchestration decisions, and how it is guarded.
public struct ProviderConfiguration: Sendable, Equatable {
  public enum Kind: String, Sendable { case deterministic, openai, anthropic }

  /// `MLOPS_LLM_PROVIDER`, default `deterministic` (no network).
  public var kind = Kind.deterministic
  /// `MLOPS_LLM_BASE_URL`; default https://api.openai.com/v1 or https://api.anthropic.com.
  public var baseURL: String?
  /// `MLOPS_LLM_MODEL`, required for a model provider.
  public var model: String?
  /// `MLOPS_LLM_API_KEY`, required for a model provider.
  public var apiKey: String?
  /// `MLOPS_LLM_MAX_ATTEMPTS`: the determinism budget, replies tried before a call fails.
  public var maxAttempts = 3
  /// `MLOPS_LLM_BREAKER_FAILURES`: failed calls in a row that open the circuit.
  public var breakerFailures = 3
  /// `MLOPS_LLM_BREAKER_COOLDOWN_SECONDS`: how long an open circuit waits before a trial call.
  public var breakerCooldownSeconds = 30
  /// `MLOPS_LLM_TIMEOUT_SECONDS`: per model call.
  public var timeoutSeconds = 30

  public init() {}

  public var resolvedBaseURL: String {
    baseURL ?? (kind == .anthropic ? "https://api.anthropic.com" : "https://api.openai.com/v1")
  }
}
