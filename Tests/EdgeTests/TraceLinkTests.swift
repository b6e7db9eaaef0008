import EdgeRuntime
import ServiceKit
import Testing

@Suite struct TraceLinkTests {
  @Test func aCardLinksItsTraceInTheConfiguredViewerOrAsAURN() {
    let id = "4bf92f3577b34da6a3ce929d0e0e4736"
    #expect(TraceLink(template: nil).href(id) == "urn:otel:trace:\(id)")
    #expect(
      TraceLink(template: "https://grafana.example/explore?traceId={trace_id}").href(id)
        == "https://grafana.example/explore?traceId=\(id)")
  }

  @Test(arguments: [
    "grafana.example/{trace_id}", "https://grafana.example/explore", "javascript:{trace_id}",
    "https://x.example/{trace_id} \" onclick",
  ])
  func aTraceURLMustBeAnHTTPURLWithTheTraceID(template: String) {
    #expect(throws: ConfigurationError.self) {
      try EdgeConfiguration(environment: ["MLOPS_TRACE_URL": template], configuration: Configuration.defaults)
    }
  }

  @Test func aGoodTraceURLIsTaken() throws {
    let edge = try EdgeConfiguration(
      environment: ["MLOPS_TRACE_URL": "http://127.0.0.1:16686/trace/{trace_id}"], configuration: Configuration.defaults)
    #expect(edge.worker.traceURL == "http://127.0.0.1:16686/trace/{trace_id}")
  }
}
