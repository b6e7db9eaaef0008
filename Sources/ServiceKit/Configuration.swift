import Foundation
import Logging

/// Everything a process reads from its environment. README.md documents each variable;
/// keep the two in step.
public struct Configuration: Sendable, Equatable {
  /// `DATABASE_URL`; nil means the embedded PostgreSQL under `dataDirectory`.
  public var databaseURL: String?
  /// `MLOPS_DATA_DIR`, default `./.mlops`.
  public var dataDirectory: String
  /// `MLOPS_HTTP_HOST`, default `127.0.0.1`.
  public var httpHost: String
  /// `MLOPS_HTTP_PORT`, default 8080.
  public var httpPort: Int
  /// `MLOPS_<SERVICE>_ADDR`, default `127.0.0.1:<default port>`.
  public var serviceAddresses: [ServiceName: ServiceAddress]
  /// `MLOPS_LOG_LEVEL`, default `info`.
  public var logLevel: Logger.Level
  /// `MLOPS_MAX_BODY_BYTES`, default 1 MiB.
  public var maxBodyBytes: Int
  /// The worker role's settings (`MLOPS_WORKER_*`, `MLOPS_JOB_LEASE_SECONDS`, `MLOPS_CHECKPOINTS_KEPT`).
  public var worker = WorkerConfiguration()
  /// Server-Sent Events streams (`MLOPS_SSE_PING_SECONDS`, `MLOPS_SSE_MAX_SECONDS`).
  public var streams = StreamConfiguration()
  /// The orchestration provider (`MLOPS_LLM_*`).
  public var provider = ProviderConfiguration()
  /// `MLOPS_COVERAGE_THRESHOLD`: the share of weighted required fields that must be known.
  public var coverageThreshold = 0.75
  /// `MLOPS_POLICY_DIR`: a folder of custom rule packs applied beside the built-in ones.
  public var policyDirectory: String?
  /// `MLOPS_TEMPLATES_DIR`: Codegen's templates from this folder instead of the built-in ones
  /// (same layout as `Sources/Codegen/Resources/templates`).
  public var templatesDirectory: String?
  /// `MLOPS_RPC_TIMEOUT_SECONDS`: the deadline of each call Edge makes to a service (Codegen's
  /// Validate gets room for every validator's own timeout on top).
  public var rpcTimeoutSeconds = 30
  /// `MLOPS_HTTP_IDLE_TIMEOUT_SECONDS`: a connection that sends no byte of a request for this
  /// long (headers or body half read, or idle between requests) is closed.
  public var httpIdleTimeoutSeconds = 60
  /// The validators Codegen runs (`MLOPS_TOOLS_DIR`, `TF_PLUGIN_DIR`, `MLOPS_VALIDATOR_TIMEOUT_SECONDS`).
  public var validators = ValidatorConfiguration()
  /// Where bundles are stored and how downloads are signed (`MLOPS_ARTIFACT_STORE`, `MLOPS_S3_*`, `MLOPS_DOWNLOAD_*`).
  public var artifacts = ArtifactConfiguration()

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
    func value(_ name: String) -> String? {
      guard let raw = environment[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty
      else { return nil }
      return raw
    }
    func port(_ name: String, default fallback: Int) throws(ConfigurationError) -> Int {
      guard let text = value(name) else { return fallback }
      guard let port = Int(text), (0...65535).contains(port) else {
        throw ConfigurationError(variable: name, value: text, expected: "a port from 0 to 65535")
      }
      return port
    }

    var configuration = Configuration.defaults
    configuration.databaseURL = value("DATABASE_URL")
    configuration.dataDirectory = value("MLOPS_DATA_DIR") ?? configuration.dataDirectory
    configuration.httpHost = value("MLOPS_HTTP_HOST") ?? configuration.httpHost
    configuration.httpPort = try port("MLOPS_HTTP_PORT", default: configuration.httpPort)
    for service in ServiceName.allCases {
      guard let text = value(service.addressVariable) else { continue }
      guard let address = ServiceAddress(parsing: text) else {
        throw ConfigurationError(
          variable: service.addressVariable, value: text, expected: "host:port, e.g. 127.0.0.1:\(service.defaultPort)")
      }
      configuration.serviceAddresses[service] = address
    }
    if let text = value("MLOPS_LOG_LEVEL") {
      guard let level = Logger.Level(rawValue: text.lowercased()) else {
        throw ConfigurationError(
          variable: "MLOPS_LOG_LEVEL", value: text,
          expected: Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))
      }
      configuration.logLevel = level
    }
    func positive(_ name: String, default fallback: Int) throws(ConfigurationError) -> Int {
      guard let text = value(name) else { return fallback }
      guard let number = Int(text), number > 0 else {
        throw ConfigurationError(variable: name, value: text, expected: "a positive whole number")
      }
      return number
    }
    configuration.worker.concurrency = try positive("MLOPS_WORKER_CONCURRENCY", default: configuration.worker.concurrency)
    configuration.worker.leaseSeconds = try positive("MLOPS_JOB_LEASE_SECONDS", default: configuration.worker.leaseSeconds)
    configuration.worker.pollSeconds = try positive("MLOPS_WORKER_POLL_SECONDS", default: configuration.worker.pollSeconds)
    configuration.worker.checkpointsKept = try positive("MLOPS_CHECKPOINTS_KEPT", default: configuration.worker.checkpointsKept)
    configuration.worker.healthPort = try port("MLOPS_WORKER_PORT", default: configuration.worker.healthPort)
    configuration.streams.pingSeconds = try positive("MLOPS_SSE_PING_SECONDS", default: configuration.streams.pingSeconds)
    configuration.streams.maxSeconds = try positive("MLOPS_SSE_MAX_SECONDS", default: configuration.streams.maxSeconds)
    configuration.streams.maxStreams = try positive("MLOPS_SSE_MAX_STREAMS", default: configuration.streams.maxStreams)
    configuration.streams.maxStreamsPerClient = try positive(
      "MLOPS_SSE_MAX_STREAMS_PER_CLIENT", default: configuration.streams.maxStreamsPerClient)
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
    configuration.rpcTimeoutSeconds = try positive("MLOPS_RPC_TIMEOUT_SECONDS", default: configuration.rpcTimeoutSeconds)
    configuration.templatesDirectory = value("MLOPS_TEMPLATES_DIR")
    configuration.validators.toolsDirectory = value("MLOPS_TOOLS_DIR")
    configuration.validators.terraformPluginDirectory = value("TF_PLUGIN_DIR")
    configuration.validators.only = value("MLOPS_VALIDATORS").map {
      $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
    configuration.validators.signingKey = value("MLOPS_CODEGEN_SIGNING_KEY")
    configuration.validators.timeoutSeconds = try positive(
      "MLOPS_VALIDATOR_TIMEOUT_SECONDS", default: configuration.validators.timeoutSeconds)
    configuration.worker.maxStepSeconds = try positive(
      "MLOPS_MAX_STEP_SECONDS", default: configuration.validators.validateDeadlineSeconds + 120)
    if let text = value("MLOPS_ARTIFACT_STORE") {
      guard let kind = ArtifactConfiguration.Kind(rawValue: text.lowercased()) else {
        throw ConfigurationError(variable: "MLOPS_ARTIFACT_STORE", value: text, expected: "local or s3")
      }
      configuration.artifacts.kind = kind
    }
    configuration.artifacts.bucket = value("MLOPS_S3_BUCKET")
    configuration.artifacts.region = value("MLOPS_S3_REGION") ?? value("AWS_REGION") ?? configuration.artifacts.region
    configuration.artifacts.endpoint = value("MLOPS_S3_ENDPOINT")
    configuration.artifacts.accessKeyID = value("AWS_ACCESS_KEY_ID")
    configuration.artifacts.secretAccessKey = value("AWS_SECRET_ACCESS_KEY")
    configuration.artifacts.sessionToken = value("AWS_SESSION_TOKEN")
    configuration.artifacts.retentionDays = try positive(
      "MLOPS_BUNDLE_RETENTION_DAYS", default: configuration.artifacts.retentionDays)
    configuration.artifacts.downloadSecret = value("MLOPS_DOWNLOAD_SECRET")
    configuration.artifacts.downloadTTLSeconds = try positive(
      "MLOPS_DOWNLOAD_TTL_SECONDS", default: configuration.artifacts.downloadTTLSeconds)
    configuration.artifacts.publicURL = value("MLOPS_PUBLIC_URL")
    if configuration.artifacts.kind == .s3 {
      for (name, present) in [
        ("MLOPS_S3_BUCKET", configuration.artifacts.bucket != nil),
        ("AWS_ACCESS_KEY_ID", configuration.artifacts.accessKeyID != nil),
        ("AWS_SECRET_ACCESS_KEY", configuration.artifacts.secretAccessKey != nil),
      ] where !present {
        throw ConfigurationError(variable: name, value: "", expected: "a value when MLOPS_ARTIFACT_STORE is s3")
      }
    }
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
}

/// The validators Codegen runs on a generated repository.
public struct ValidatorConfiguration: Sendable, Equatable {
  /// How long one Validate call may take: the longer lane runs five tools one after the
  /// other, each within `timeoutSeconds`.
  public var validateDeadlineSeconds: Int { timeoutSeconds * 5 + 60 }

  /// `MLOPS_TOOLS_DIR`: searched for ruff, mypy, pytest, check-jsonschema and terraform
  /// before PATH; default `.venv/bin` when that folder exists.
  public var toolsDirectory: String?
  /// `TF_PLUGIN_DIR`: a local provider mirror for `terraform init -plugin-dir`.
  public var terraformPluginDirectory: String?
  /// `MLOPS_VALIDATOR_TIMEOUT_SECONDS`: the most one tool may take, default 300.
  public var timeoutSeconds = 300
  /// `MLOPS_CODEGEN_SIGNING_KEY`: the key Codegen signs its manifests with (every Codegen
  /// replica needs the same one); unset: a random key kept in the data directory.
  public var signingKey: String?
  /// `MLOPS_VALIDATORS`: run only these validators (comma-separated names, e.g. `secret-scan`);
  /// unset runs them all. The others are left out of the report, not reported as passed.
  public var only: [String]?

  public init() {}
}

/// Where bundles are stored, and how their download links are signed.
public struct ArtifactConfiguration: Sendable, Equatable {
  public enum Kind: String, Sendable { case local, s3 }
  /// `MLOPS_ARTIFACT_STORE`: `local` (default, under the data directory) or `s3`.
  public var kind = Kind.local
  /// `MLOPS_S3_BUCKET`, `MLOPS_S3_REGION` (or `AWS_REGION`, default us-east-1), `MLOPS_S3_ENDPOINT`
  /// (for S3-compatible servers; path-style addressing).
  public var bucket: String?
  public var region = "us-east-1"
  public var endpoint: String?
  /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`.
  public var accessKeyID: String?
  public var secretAccessKey: String?
  public var sessionToken: String?
  /// `MLOPS_BUNDLE_RETENTION_DAYS`: `mlops storage init` sets the bucket to expire bundles after this, default 90.
  public var retentionDays = 90
  /// `MLOPS_DOWNLOAD_SECRET`: the HMAC key of local download links; default: a random key kept in the data directory.
  public var downloadSecret: String?
  /// `MLOPS_DOWNLOAD_TTL_SECONDS`: how long a download link works, default 900.
  public var downloadTTLSeconds = 900
  /// `MLOPS_PUBLIC_URL`: the Edge's address as clients reach it, for download links; default http://MLOPS_HTTP_HOST:MLOPS_HTTP_PORT.
  public var publicURL: String?

  public init() {}
}

/// How a worker process claims and runs jobs.
public struct WorkerConfiguration: Sendable, Equatable {
  /// `MLOPS_WORKER_CONCURRENCY`: jobs run at once per process.
  public var concurrency = 4
  /// `MLOPS_JOB_LEASE_SECONDS`: how long a claim lasts without a heartbeat.
  public var leaseSeconds = 30
  /// `MLOPS_WORKER_POLL_SECONDS`: the safety-net poll when no NOTIFY arrives.
  public var pollSeconds = 5
  /// `MLOPS_CHECKPOINTS_KEPT`: checkpoints kept per finished run (interrupts are always kept).
  public var checkpointsKept = 20
  /// `MLOPS_WORKER_PORT`: where `mlops worker` serves its health endpoint.
  public var healthPort = 8081
  /// `MLOPS_MAX_STEP_SECONDS`: the most one step may take before it is stopped and its job
  /// fails (unset: room for a whole Validate call and a margin).
  public var maxStepSeconds = 1_800

  public init() {}
}

/// How long SSE streams live and how often they ping.
public struct StreamConfiguration: Sendable, Equatable {
  /// `MLOPS_SSE_PING_SECONDS`: an `event: ping` after this long without an event.
  public var pingSeconds = 10
  /// `MLOPS_SSE_MAX_SECONDS`: a stream closes cleanly after this long (under a proxy's 120 s
  /// limit); clients resume with Last-Event-ID.
  public var maxSeconds = 100
  /// `MLOPS_SSE_MAX_STREAMS`: open streams one API process serves at once (503 past it).
  public var maxStreams = 5_000
  /// `MLOPS_SSE_MAX_STREAMS_PER_CLIENT`: open streams from one client address.
  public var maxStreamsPerClient = 100

  public init() {}
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
