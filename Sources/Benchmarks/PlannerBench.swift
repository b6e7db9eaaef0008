import ArgumentParser
import Assembly
import Contracts
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import Planner
import ServiceKit

/// The Planner's three RPCs over loopback gRPC, one call at a time, with the deterministic
/// provider: the per-call latency a graph step pays.
struct PlannerBench: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "planner", abstract: "p50/p95/p99 of ExtractConstraints, CheckCoverage and ComposePlan over loopback gRPC.")

  @Option(help: "Calls per RPC.") var calls = 2000
  @Option(help: "A Planner already running (host:port), e.g. `mlops planner` in its own process; default: one in this process.")
  var address: String?

  static let briefs = [
    "Fraud scoring on card transactions at checkout, p95 under 80 ms, about $3k a month, PII, EU regions only. Peak traffic is 400 transactions per second. Retrain weekly with XGBoost.",
    "We want to forecast weekly demand for 20,000 products across our stores. Nightly batch predictions are fine, nothing real-time. We have 3 TB of sales history in S3. Retrain monthly. Keep spend below 1,500 USD per month.",
    "Detect defects in photos from the assembly-line cameras. We need GPUs for inference (PyTorch model), sub-200ms per image, 30 images per second. The plant is in Germany and data must stay in Germany. Roughly €8k/month.",
    "Our old system had 300 ms latency, we need under 120 ms for the new churn model API. Budget is $2–5k per month. Data stays in Frankfurt.",
  ]

  func run() async throws {
    guard calls > 0 else { throw ValidationError("--calls must be positive") }
    let calls = self.calls
    let environment = try ProcessEnvironment.load(label: "bench")
    let results = try await BenchServer.withClient(
      address: address, services: [PlannerService()], tls: try environment.configuration.serviceTLS(),
      logger: environment.logger
    ) {
      client in
      try await Self.measure(Mlops_V1_Planner.Client(wrapping: client), calls: calls)
    }
    let inProcess = try await Self.measureInProcess(calls: calls)
    let server = address.map { "the Planner at \($0)" } ?? "a Planner in this process"
    Console.line(
      "planner: \(calls) calls per RPC to \(server), concurrency 1, deterministic provider, \(Self.briefs.count) briefs in turn")
    let names = ["ExtractConstraints", "CheckCoverage", "ComposePlan"]
    printTable(
      ["rpc", "path", "calls", "p50 ms", "p95 ms", "p99 ms", "max ms"],
      names.flatMap { name in
        [("loopback gRPC", results[name] ?? []), ("in process", inProcess[name] ?? [])].map { path, samples in
          let p = Percentiles(samples)
          return [
            name, path, String(p.sorted.count), formatted(p.value(50), 3), formatted(p.value(95), 3), formatted(p.value(99), 3),
            formatted(p.value(100), 3),
          ]
        }
      })
    var figures: [String: Any] = ["benchmark": "planner", "calls": calls]
    for name in names {
      let p = Percentiles(results[name] ?? [])
      figures["\(name)_p50_ms"] = (p.value(50) * 1000).rounded() / 1000
      figures["\(name)_p99_ms"] = (p.value(99) * 1000).rounded() / 1000
    }
    Console.line(jsonLine(figures))
  }

  /// The same work without gRPC, to tell the planner's own time from the transport's.
  static func measureInProcess(calls: Int) async throws -> [String: [Double]] {
    let engine = PlannerEngine()
    var constraints: [Mlops_V1_Constraints] = []
    for brief in briefs { constraints.append(try await engine.extract(.with { $0.brief = brief }).constraints) }
    return try await timedRounds(calls) { index in
      let which = index % briefs.count
      let (_, extract) = try await timed { try await engine.extract(.with { $0.brief = briefs[which] }) }
      let (_, coverage) = await timed { engine.checkCoverage(.with { $0.constraints = constraints[which] }) }
      let (_, compose) = await timed { engine.composePlan(.with { $0.constraints = constraints[which] }) }
      return [("ExtractConstraints", extract), ("CheckCoverage", coverage), ("ComposePlan", compose)]
    }
  }

  static func measure(_ planner: Mlops_V1_Planner.Client<some ClientTransport>, calls: Int) async throws -> [String: [Double]] {
    // Inputs prepared once, so only the calls are timed.
    var constraints: [Mlops_V1_Constraints] = []
    for brief in briefs { constraints.append(try await planner.extractConstraints(.with { $0.brief = brief }).constraints) }
    return try await timedRounds(calls) { index in
      let which = index % briefs.count
      let (_, extract) = try await timed { try await planner.extractConstraints(.with { $0.brief = briefs[which] }) }
      let (_, coverage) = try await timed { try await planner.checkCoverage(.with { $0.constraints = constraints[which] }) }
      let (_, compose) = try await timed { try await planner.composePlan(.with { $0.constraints = constraints[which] }) }
      return [("ExtractConstraints", extract), ("CheckCoverage", coverage), ("ComposePlan", compose)]
    }
  }
}
