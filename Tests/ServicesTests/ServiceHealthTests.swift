import Codegen
import Contracts
import Critics
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import Planner
import Policy
import ServiceKit
import ServiceLifecycle
import Testing

/// Each service, served by the shared bootstrap on a real HTTP/2 port, answers the standard
/// health check and says UNIMPLEMENTED for domain RPCs whose logic has not landed.
@Suite struct ServiceHealthTests {
  static func cases() throws -> [(ServiceName, any RegistrableRPCService & NamedService)] {
    [
      (.planner, PlannerService()),
      (.critics, CriticsService()),
      (.policy, PolicyService()),
      (.codegen, try CodegenService()),
    ]
  }

  @Test(arguments: ServiceName.allCases)
  func answersHealthServing(service: ServiceName) async throws {
    let domain = try #require(try Self.cases().first { $0.0 == service }?.1)
    try await withRunningHost(domain) { client in
      let health = Grpc_Health_V1_Health.Client(wrapping: client)
      let overall = try await health.check(.with { $0.service = "" })
      #expect(overall.status == .serving)
      let named = try await health.check(.with { $0.service = service.grpcServiceName })
      #expect(named.status == .serving)
      await #expect(throws: RPCError.self) {
        try await health.check(.with { $0.service = "mlops.v1.NoSuchService" })
      }
      let list = try await health.list(.init())
      #expect(Set(list.statuses.keys) == ["", service.grpcServiceName])
    }
  }

  @Test func thePlannerAnswersOverGRPCAndRefusesAnEmptyBrief() async throws {
    try await withRunningHost(PlannerService()) { client in
      let planner = Mlops_V1_Planner.Client(wrapping: client)
      let extracted = try await planner.extractConstraints(.with { $0.brief = "fraud scoring, p95 under 80 ms" })
      #expect(extracted.constraints.latencyP95Ms.value == 80)
      #expect(extracted.reasonCard.node == "intake_extract")
      #expect(extracted.reasonCard.inputs.sha256.count == 64)
      let error = await #expect(throws: RPCError.self) {
        try await planner.extractConstraints(.with { $0.brief = "  " })
      }
      #expect(error?.code == .invalidArgument)
    }
  }

  @Test func criticsAndPolicyAnswerAnEmptyPlanWithAReason() async throws {
    try await withRunningHost(CriticsService()) { client in
      let review = try await Mlops_V1_Critics.Client(wrapping: client).reviewTechnical(.init())
      #expect(review.review.findings.map(\.id) == ["plan.empty"])
      #expect(review.reasonCard.node == "critic_tech")
      let cost = try await Mlops_V1_Critics.Client(wrapping: client).estimateCost(.init())
      #expect(cost.estimate.method == "bom_v1" && cost.estimate.monthlyUsd == 0)
    }
    try await withRunningHost(PolicyService()) { client in
      let response = try await Mlops_V1_Policy.Client(wrapping: client).evaluate(.init())
      #expect(response.report.packs == ["baseline@2"])
      #expect(!response.report.summary.isEmpty)
    }
  }

  @Test func codegenRefusesAPlanWithoutComponents() async throws {
    try await withRunningHost(try CodegenService()) { client in
      let error = await #expect(throws: RPCError.self) {
        try await Mlops_V1_Codegen.Client(wrapping: client).generate(.init()) { response in
          for try await _ in response.messages {}
        }
      }
      #expect(error?.code == .invalidArgument)
    }
  }

  @Test func watchStreamsTheCurrentStatusThenChanges() async throws {
    let registry = HealthStatusRegistry()
    registry.set(.serving, for: "svc")
    var iterator = registry.watch("svc").stream.makeAsyncIterator()
    #expect(await iterator.next() == .serving)
    registry.set(.notServing, for: "svc")
    #expect(await iterator.next() == .notServing)
    var unknown = registry.watch("other").stream.makeAsyncIterator()
    #expect(await unknown.next() == .serviceUnknown)
    registry.shutdown()
    #expect(await iterator.next() == .notServing)
    #expect(await iterator.next() == nil, "shutdown ends every watch")
  }

  /// Starts a host on a free port (mutual TLS with a new local CA), runs `body` with a
  /// connected client, then shuts both down.
  func withRunningHost(
    _ service: any RegistrableRPCService & NamedService,
    _ body: @Sendable (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> Void
  ) async throws {
    let tls = try ServiceTLSTests.localCA()
    let host = GRPCServiceHost(
      name: "test", address: ServiceAddress(host: "127.0.0.1", port: 0), tls: tls, services: [service],
      logger: Logger(label: "test"))
    try await withThrowingTaskGroup { group in
      group.addTask { try await host.run() }
      let port = try #require(try await host.listeningPort)
      try await withGRPCClient(
        transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: tls.clientSecurity)
      ) { client in
        try await body(client)
      }
      group.cancelAll()
    }
  }
}
