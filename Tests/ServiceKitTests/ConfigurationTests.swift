import Logging
import ServiceKit
import Testing

@Suite struct ConfigurationTests {
  @Test func defaultsWhenNothingIsSet() throws {
    let configuration = try Configuration(environment: [:])
    #expect(configuration.databaseURL == nil)
    #expect(configuration.dataDirectory == "./.mlops")
    #expect(configuration.httpHost == "127.0.0.1")
    #expect(configuration.httpPort == 8080)
    #expect(configuration.maxBodyBytes == 1_048_576)
    #expect(configuration.address(of: .planner) == ServiceAddress(host: "127.0.0.1", port: 50051))
    #expect(configuration.address(of: .codegen) == ServiceAddress(host: "127.0.0.1", port: 50054))
  }

  @Test func readsEveryVariable() throws {
    let configuration = try Configuration(environment: [
      "DATABASE_URL": "postgres://u:p@db:5432/mlops",
      "MLOPS_DATA_DIR": "/var/lib/mlops",
      "MLOPS_HTTP_HOST": "0.0.0.0",
      "MLOPS_HTTP_PORT": "9000",
      "MLOPS_CRITICS_ADDR": "critics.internal:7000",
      "MLOPS_POLICY_ADDR": "[::1]:7001",
      "MLOPS_LOG_LEVEL": "DEBUG",
    ])
    #expect(configuration.databaseURL == "postgres://u:p@db:5432/mlops")
    #expect(configuration.dataDirectory == "/var/lib/mlops")
    #expect(configuration.httpHost == "0.0.0.0")
    #expect(configuration.httpPort == 9000)
    #expect(configuration.address(of: .critics) == ServiceAddress(host: "critics.internal", port: 7000))
    #expect(configuration.address(of: .policy) == ServiceAddress(host: "::1", port: 7001))
    #expect(configuration.address(of: .planner).port == 50051)
    #expect(configuration.logLevel == .debug)
  }

  @Test func emptyVariablesCountAsUnset() throws {
    let configuration = try Configuration(environment: ["DATABASE_URL": "  ", "MLOPS_HTTP_PORT": ""])
    #expect(configuration.databaseURL == nil)
    #expect(configuration.httpPort == 8080)
  }

  @Test(arguments: [
    ("MLOPS_HTTP_PORT", "eighty"),
    ("MLOPS_HTTP_PORT", "70000"),
    ("MLOPS_PLANNER_ADDR", "no-port"),
    ("MLOPS_CODEGEN_ADDR", "host:99999"),
    ("MLOPS_LOG_LEVEL", "loud"),
    ("MLOPS_MAX_BODY_BYTES", "-1"),
    ("MLOPS_PLANNER_ADDR", "10.0.0.1:1,planner:2"),
    ("MLOPS_PLANNER_ADDR", "10.0.0.1:1,"),
    ("MLOPS_METRICS_ADDR", "nowhere"),
  ])
  func rejectsBadValuesNamingTheVariable(variable: String, value: String) {
    #expect(throws: ConfigurationError.self) { try Configuration(environment: [variable: value]) }
    do {
      _ = try Configuration(environment: [variable: value])
    } catch {
      #expect(error.variable == variable)
      #expect(error.description.contains(variable))
    }
  }

  @Test func aServiceAddressMayListReplicasAndAServiceListensOnTheFirst() throws {
    let configuration = try Configuration(environment: ["MLOPS_PLANNER_ADDR": "10.0.0.1:5001, 10.0.0.2:5002"])
    #expect(configuration.address(of: .planner) == ServiceAddress(host: "10.0.0.1", port: 5001))
    #expect(
      configuration.addresses(of: .planner) == [
        ServiceAddress(host: "10.0.0.1", port: 5001), ServiceAddress(host: "10.0.0.2", port: 5002),
      ])
    #expect(configuration.addresses(of: .critics) == [ServiceAddress(host: "127.0.0.1", port: 50052)])
    #expect(configuration.metricsAddress(of: .planner) == ServiceAddress(host: "10.0.0.1", port: 6001))
  }

  @Test func underAMeshTheProcessesLeaveTLSToTheProxyAndNeverWithCertificateFilesSet() throws {
    let files = ["MLOPS_TLS_CA_FILE": "/ca.pem", "MLOPS_TLS_CERT_FILE": "/cert.pem", "MLOPS_TLS_KEY_FILE": "/key.pem"]
    #expect(
      try Configuration(environment: files).grpcTransportTLS()
        == ServiceTLS(caFile: "/ca.pem", certificateFile: "/cert.pem", keyFile: "/key.pem"))
    #expect(try Configuration(environment: files.merging(["MLOPS_GRPC_TLS": "mutual"]) { $1 }).grpcSecurity == .mutual)
    #expect(try Configuration(environment: ["MLOPS_GRPC_TLS": "MESH"]).grpcTransportTLS() == nil)
    let both = #expect(throws: ConfigurationError.self) {
      try Configuration(environment: files.merging(["MLOPS_GRPC_TLS": "mesh"]) { $1 })
    }
    #expect(both?.variable == "MLOPS_GRPC_TLS")
    let unknown = #expect(throws: ConfigurationError.self) { try Configuration(environment: ["MLOPS_GRPC_TLS": "off"]) }
    #expect(unknown?.expected == "mutual or mesh")
  }

  @Test func serviceAddressParsing() {
    #expect(ServiceAddress(parsing: ":50051") == ServiceAddress(host: "127.0.0.1", port: 50051))
    #expect(ServiceAddress(parsing: "[::1]:1") == ServiceAddress(host: "::1", port: 1))
    #expect(ServiceAddress(parsing: "[::1]") == nil)
    #expect(ServiceAddress(parsing: "10.0.0.1:80")?.isIPv4Literal == true)
    #expect(ServiceAddress(parsing: "planner:80")?.isIPv4Literal == false)
    #expect(ServiceAddress(host: "::1", port: 5).description == "[::1]:5")
  }
}

@Suite struct ProviderConfigurationTests {
  @Test func theRulesAreTheDefaultAndNeedNoKey() throws {
    let configuration = try Configuration(environment: [:])
    #expect(configuration.provider.kind == .deterministic)
    #expect(configuration.coverageThreshold == 0.75)
  }

  @Test func aModelProviderNeedsAModelAndAKey() throws {
    #expect(throws: ConfigurationError.self) { try Configuration(environment: ["MLOPS_LLM_PROVIDER": "openai"]) }
    #expect(throws: ConfigurationError.self) {
      try Configuration(environment: ["MLOPS_LLM_PROVIDER": "anthropic", "MLOPS_LLM_MODEL": "m"])
    }
    let configuration = try Configuration(environment: [
      "MLOPS_LLM_PROVIDER": "Anthropic", "MLOPS_LLM_MODEL": "m", "MLOPS_LLM_API_KEY": "k",
      "MLOPS_LLM_MAX_ATTEMPTS": "5", "MLOPS_LLM_BREAKER_FAILURES": "4", "MLOPS_LLM_BREAKER_COOLDOWN_SECONDS": "9",
      "MLOPS_COVERAGE_THRESHOLD": "0.8",
    ])
    #expect(configuration.provider.kind == .anthropic)
    #expect(configuration.provider.resolvedBaseURL == "https://api.anthropic.com")
    #expect(configuration.provider.maxAttempts == 5)
    #expect(configuration.provider.breakerFailures == 4)
    #expect(configuration.provider.breakerCooldownSeconds == 9)
    #expect(configuration.coverageThreshold == 0.8)
  }

  @Test func aModelWritesCodeOnlyWithAModelProviderAndGenerateWaitsForItsAttempts() throws {
    let templates = try Configuration(environment: [:])
    #expect(templates.codeProvider == .templates)
    #expect(templates.generateDeadlineSeconds == 60)
    let refused = #expect(throws: ConfigurationError.self) {
      try Configuration(environment: ["MLOPS_CODEGEN_PROVIDER": "llm"])
    }
    #expect(refused?.variable == "MLOPS_CODEGEN_PROVIDER")
    #expect(throws: ConfigurationError.self) { try Configuration(environment: ["MLOPS_CODEGEN_PROVIDER": "gpt"]) }
    let model = try Configuration(environment: [
      "MLOPS_LLM_PROVIDER": "openai", "MLOPS_LLM_MODEL": "m", "MLOPS_LLM_API_KEY": "k", "MLOPS_CODEGEN_PROVIDER": "LLM",
      "MLOPS_CODEGEN_ATTEMPTS": "3", "MLOPS_VALIDATOR_TIMEOUT_SECONDS": "100",
    ])
    #expect(model.codeProvider == .llm && model.codeAttempts == 3)
    // Each attempt: one model call (30 s) and one validation (5 tools of 100 s, plus 60).
    #expect(model.generateDeadlineSeconds == 60 + 3 * (30 + 560))
  }

  @Test func badValuesNameTheVariable() {
    let error = #expect(throws: ConfigurationError.self) { try Configuration(environment: ["MLOPS_LLM_PROVIDER": "gpt"]) }
    #expect(error?.variable == "MLOPS_LLM_PROVIDER")
    let threshold = #expect(throws: ConfigurationError.self) {
      try Configuration(environment: ["MLOPS_COVERAGE_THRESHOLD": "75"])
    }
    #expect(threshold?.variable == "MLOPS_COVERAGE_THRESHOLD")
    let password = #expect(throws: ConfigurationError.self) { try Configuration(environment: ["DATABASE_PASSWORD": "s3cret"]) }
    #expect(password?.variable == "DATABASE_PASSWORD")
    #expect(password?.description.contains("s3cret") == false)
  }
}
