import ArgumentParser
import Assembly
import Contracts
import Critics
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Planner
import Policy
import ServiceKit

/// The critics' two RPCs and the policy evaluation over loopback gRPC, one call at a time,
/// on plans the planner composed from the benchmark briefs.
struct CriticsBench: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "critics", abstract: "p50/p95/p99 of ReviewTechnical, EstimateCost and Policy.Evaluate over loopback gRPC.")

  @Option(help: "Calls per RPC.") var calls = 2000
  @Option(help: "Critics and Policy already running in one process (host:port); default: in this process.")
  var address: String?

  func run() async throws {
    guard calls > 0 else { throw ValidationError("--calls must be positive") }
    let calls = self.calls
    let environment = try ProcessEnvironment.load(label: "bench")
    let planner = PlannerEngine()
    var inputs: [(Mlops_V1_Plan, Mlops_V1_Constraints)] = []
    for brief in PlannerBench.briefs {
      let constraints = try await planner.extract(.with { $0.brief = brief }).constraints
      inputs.append((planner.composePlan(.with { $0.constraints = constraints }).plan, constraints))
    }
    let prepared = inputs
    let results = try await BenchServer.withClient(
      address: address, services: [CriticsService(), PolicyService()], tls: try environment.configuration.serviceTLS(),
      logger: environment.logger
    ) { client in
      try await Self.measure(
        critics: Mlops_V1_Critics.Client(wrapping: client), policy: Mlops_V1_Policy.Client(wrapping: client), inputs: prepared,
        calls: calls)
    }
    Console.line(
      "critics: \(calls) calls per RPC over loopback gRPC, concurrency 1, plans of \(PlannerBench.briefs.count) briefs in turn")
    let names = ["ReviewTechnical", "EstimateCost", "Policy.Evaluate"]
    printTable(
      ["rpc", "calls", "p50 ms", "p95 ms", "p99 ms", "max ms"],
      names.map { name in
        let p = Percentiles(results[name] ?? [])
        return [
          name, String(p.sorted.count), formatted(p.value(50), 3), formatted(p.value(95), 3), formatted(p.value(99), 3),
          formatted(p.value(100), 3),
        ]
      })
    var figures: [String: Any] = ["benchmark": "critics", "calls": calls]
    for name in names {
      let p = Percentiles(results[name] ?? [])
      figures["\(name)_p50_ms"] = (p.value(50) * 1000).rounded() / 1000
      figures["\(name)_p99_ms"] = (p.value(99) * 1000).rounded() / 1000
    }
    Console.line(jsonLine(figures))
  }

  static func measure(
    critics: Mlops_V1_Critics.Client<some ClientTransport>, policy: Mlops_V1_Policy.Client<some ClientTransport>,
    inputs: [(Mlops_V1_Plan, Mlops_V1_Constraints)], calls: Int
  ) async throws -> [String: [Double]] {
    try await timedRounds(calls) { index in
      let (plan, constraints) = inputs[index % inputs.count]
      let (review, technical) = try await timed {
        try await critics.reviewTechnical(
          .with {
            $0.plan = plan; $0.constraints = constraints
          }
        ).review
      }
      let (cost, costing) = try await timed {
        try await critics.estimateCost(
          .with {
            $0.plan = plan; $0.constraints = constraints
          }
        ).estimate
      }
      let (_, evaluation) = try await timed {
        try await policy.evaluate(
          .with {
            $0.plan = plan
            $0.constraints = constraints
            $0.cost = cost
            $0.technicalReview = review
          })
      }
      return [("ReviewTechnical", technical), ("EstimateCost", costing), ("Policy.Evaluate", evaluation)]
    }
  }
}
