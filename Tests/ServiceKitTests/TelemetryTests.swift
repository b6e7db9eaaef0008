import GRPCCore
import Logging
import Testing

@testable import ServiceKit

@Suite struct TelemetryTests {
  @Test func tracingIsOffUnlessTheStandardVariablesAskForIt() {
    #expect(TracingSettings(environment: [:], serviceName: "mlops-x").configuration == nil)
    // Empty values count as unset, as the OpenTelemetry specification says.
    #expect(
      TracingSettings(environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "", "OTEL_TRACES_EXPORTER": ""], serviceName: "x")
        .configuration == nil)
    #expect(
      TracingSettings(
        environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317", "OTEL_SDK_DISABLED": "true"],
        serviceName: "x"
      ).configuration == nil)
    #expect(
      TracingSettings(
        environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317", "OTEL_TRACES_EXPORTER": "none"],
        serviceName: "x"
      ).configuration == nil)
  }

  @Test func anEndpointTurnsTracingOnAndOnlyTheSetOTELVariablesArePassedOn() throws {
    let settings = TracingSettings(
      environment: [
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "",
        "OTEL_SDK_DISABLED": "false", "MLOPS_LOG_LEVEL": "debug",
      ], serviceName: "mlops-serve")
    let configuration = try #require(settings.configuration)
    #expect(configuration.serviceName == "mlops-serve")
    #expect(configuration.traces.enabled && !configuration.logs.enabled && !configuration.metrics.enabled)
    #expect(settings.environment == ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317"])
    #expect(TracingSettings(environment: ["OTEL_TRACES_EXPORTER": "otlp"], serviceName: "x").configuration != nil)
  }

  @Test func prometheusNamesKeepOnlyWhatTheFormatAllows() {
    #expect(PrometheusName.sanitized("http.server.request.duration") == "http_server_request_duration")
    #expect(PrometheusName.sanitized("9lives-per:cat") == "_lives_per:cat")
  }

  @Test func workIDsFromAnotherProcessAreTakenOnlyWhenTheyArePlainTokens() {
    var metadata: Metadata = ["mlops-request-id": "req-1", "mlops-decision-set": "bad\nvalue", "mlops-version": "3"]
    metadata.addString(String(repeating: "n", count: 129), forKey: "mlops-node")
    let work = WorkContext(metadata: metadata)
    #expect(work == WorkContext(requestID: "req-1", decisionSetID: nil, version: 3, node: nil))
    var written: Metadata = [:]
    work.write(into: &written)
    #expect(WorkContext(metadata: written) == work)
  }

  @Test func aLogLineCarriesTheWorkItWasWrittenIn() async throws {
    let provided = await WorkContext.with(WorkContext(requestID: "r-1", decisionSetID: "d-1")) {
      await WorkContext.with(WorkContext(version: 2, node: "planner")) {
        Logger.MetadataProvider.work.get()
      }
    }
    #expect(provided["request_id"] == "r-1" && provided["decision_set_id"] == "d-1")
    #expect(provided["version"]?.description == "2" && provided["node"] == "planner")
    #expect(Logger.MetadataProvider.work.get()["request_id"] == nil)
  }
}
