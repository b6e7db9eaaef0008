import ArgumentParser
import Assembly
import AsyncHTTPClient
import EdgeAPI
import EdgeRuntime
import Foundation
import ServiceKit
import Synchronization

/// Whole runs through `mlops serve` (this binary, started for the benchmark on a scratch
/// database): a brief submitted over the API until its `gate-waiting` event arrives on the
/// stream, then the approval until `run-complete`, at concurrency 1 and 8. Deterministic
/// providers; the validators are the built-in secret scan only (the external tools are timed
/// by `bench codegen`).
struct E2EBench: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "e2e", abstract: "submit → gate-waiting and approve → run-complete through mlops serve, at concurrency 1 and 8.")

  @Option(help: "Runs per concurrency level.") var runs = 80
  @Option(help: "Concurrency levels, comma-separated.") var concurrency = "1,8"
  @Option(help: "An OTLP/gRPC endpoint (http://host:port): the platform traces every run and exports there.")
  var tracingEndpoint: String?

  static let briefs = [
    "Fraud scoring on card transactions at checkout, p95 under 80 ms, about $3k a month, PII, EU regions only. Peak traffic is 400 transactions per second. Retrain weekly with XGBoost.",
    "Classify customer support tickets by topic as they arrive, online, p95 300 ms, 20 requests per second, us-west-2, budget 800 USD monthly, confidential data, retrain weekly.",
    "Detect defects in product photos on the assembly line, online, p95 under 200 ms, GPU needed, PyTorch, eu-central-1, $4k per month, internal data, retrain weekly.",
    "Recommend products on our shop's home page, online, p95 under 100 ms, 150 requests per second, us-east-1, customer profiles live in PostgreSQL, budget $2,500 per month, internal data, retrain daily.",
  ]

  func run() async throws {
    let levels = concurrency.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard runs > 0, !levels.isEmpty, levels.allSatisfy({ $0 > 0 }) else {
      throw ValidationError("--runs and --concurrency must be positive")
    }
    let environment = try ProcessEnvironment.load(label: "bench")
    let runs = self.runs
    // Off unless asked for, whatever the calling shell exports.
    let tracing = [
      "OTEL_EXPORTER_OTLP_ENDPOINT": tracingEndpoint ?? "", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "",
      "OTEL_TRACES_EXPORTER": "",
    ]
    let logger = environment.logger
    let results = try await BenchDatabase.withScratch(environment: environment) { scratch, url in
      let data = FileManager.default.temporaryDirectory.appending(path: "mlops-bench-e2e")
      try? FileManager.default.removeItem(at: data)
      let stack = try EmbeddedStack(
        dataDirectory: data.path,
        environment: [
          "DATABASE_URL": url.connectionString, "MLOPS_VALIDATORS": "secret-scan", "MLOPS_LOG_LEVEL": "warning",
          "MLOPS_WORKER_CONCURRENCY": "8", "MLOPS_SSE_PING_SECONDS": "30",
        ].merging(tracing) { _, traced in traced })
      try await stack.start()
      defer { stack.stop() }
      // A fresh connection per request: a benchmark should not hinge on pooled connections
      // the server may have closed between runs.
      var settings = HTTPClient.Configuration(timeout: .init(connect: .seconds(5), read: .seconds(120)))
      settings.maximumUsesPerConnection = 1
      let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: settings)
      let outcome: Result<[Level], any Error>
      do {
        let token = try await CallerToken.local(environment: ["MLOPS_DATA_DIR": data.path])
        outcome = .success(
          try await Self.measure(
            APIClient(server: stack.server, http: http, token: token), levels: levels, runs: runs,
            cpu: { [pid = stack.process.processIdentifier] in ProcessCPU.seconds(of: pid) },
            transactions: { try await GraphBench.transactions(client: scratch, logger: logger) }))
      } catch {
        outcome = .failure(error)
      }
      try? await http.shutdown()
      do {
        return try outcome.get()
      } catch {
        // The platform's log stays for a look; a successful run leaves nothing behind.
        throw ValidationError("\(error); the platform's log: \(stack.logFile.path)")
      }
    }
    try? FileManager.default.removeItem(at: FileManager.default.temporaryDirectory.appending(path: "mlops-bench-e2e"))
    Console.line(
      "e2e: \(runs) runs per level through mlops serve (scratch database), deterministic providers, validators: secret scan only, tracing \(tracingEndpoint.map { "on (OTLP to \($0))" } ?? "off")"
    )
    printTable(
      [
        "concurrency", "runs", "plans/s", "→gate p50 ms", "→gate p95 ms", "ends/s", "approve→end p50 ms",
        "approve→end p95 ms", "serve CPU ms/plan", "serve CPU ms/end", "postgres CPU ms/plan",
      ],
      results.map { result in
        let gate = Percentiles(result.toGate)
        let end = Percentiles(result.toComplete)
        return [
          String(result.level), String(result.toGate.count), formatted(result.plansPerSecond, 1), formatted(gate.value(50)),
          formatted(gate.value(95)), formatted(result.completionsPerSecond, 1), formatted(end.value(50)),
          formatted(end.value(95)), formatted(result.cpuPerPlan, 1), formatted(result.cpuPerEnd, 1),
          result.databaseCPUPerPlan.map { formatted($0, 1) } ?? "not seen",
        ]
      })
    var figures: [String: Any] = ["benchmark": "e2e", "runs": runs, "tracing": tracingEndpoint != nil]
    if let first = results.first, let transactions = first.transactionsPerPlan {
      Console.line(
        "database transactions per plan to the gate: \(formatted(transactions, 1)) (pg_stat_database over the first level's"
          + " plans, the worker's upkeep in that time included; a statement outside a transaction is one)")
      figures["transactions_per_plan"] = (transactions * 10).rounded() / 10
    }
    for result in results {
      let gate = Percentiles(result.toGate)
      let end = Percentiles(result.toComplete)
      figures["c\(result.level)_plans_per_s"] = (result.plansPerSecond * 10).rounded() / 10
      figures["c\(result.level)_ends_per_s"] = (result.completionsPerSecond * 10).rounded() / 10
      figures["c\(result.level)_to_gate_p50_ms"] = (gate.value(50) * 10).rounded() / 10
      figures["c\(result.level)_to_gate_p95_ms"] = (gate.value(95) * 10).rounded() / 10
      figures["c\(result.level)_approve_to_end_p50_ms"] = (end.value(50) * 10).rounded() / 10
      figures["c\(result.level)_approve_to_end_p95_ms"] = (end.value(95) * 10).rounded() / 10
      figures["c\(result.level)_serve_cpu_ms_per_plan"] = (result.cpuPerPlan * 10).rounded() / 10
      figures["c\(result.level)_serve_cpu_ms_per_end"] = (result.cpuPerEnd * 10).rounded() / 10
      if let database = result.databaseCPUPerPlan {
        figures["c\(result.level)_postgres_cpu_ms_per_plan"] = (database * 10).rounded() / 10
      }
    }
    Console.line(jsonLine(figures))
  }

  struct Level: Sendable {
    var level: Int
    var plansPerSecond: Double
    var completionsPerSecond: Double
    var toGate: [Double]
    var toComplete: [Double]
    /// CPU milliseconds the `mlops serve` process spent per run planned (to the gate) and per
    /// run finished (approve to end).
    var cpuPerPlan: Double
    var cpuPerEnd: Double
    /// CPU milliseconds the database's processes spent per run planned, when they run on this host.
    var databaseCPUPerPlan: Double?
    /// Database transactions per plan to the gate (the first level only: counting waits out
    /// PostgreSQL's stats flush, 22 s).
    var transactionsPerPlan: Double?
  }

  /// At each level: every brief submitted and followed to its gate (plans per second), then
  /// every run approved and followed to its end, `level` at a time.
  static func measure(
    _ client: APIClient, levels: [Int], runs: Int, cpu: @Sendable () -> Double? = { nil },
    transactions: @Sendable () async throws -> Int? = { nil }
  ) async throws -> [Level] {
    let project = try await ProjectLookup(client: client).resolve("bench-e2e")
    // The bench runs only the secret scan: its bundles are incomplete, and may be published.
    _ = try await client.send(.PATCH, "/v1/projects/\(project)", json: ["allow_incomplete_bundles": true])
    let warm = try await toGate(client, project: project, brief: briefs[0])
    _ = try await toEnd(client, warm)
    var results: [Level] = []
    for level in levels {
      let counted = results.isEmpty ? try await transactions() : nil
      let planning = ContinuousClock.now
      let cpuAtStart = cpu() ?? 0
      let databaseAtStart = ProcessCPU.seconds(ofProcessesNamed: "postgres")
      let gates = try await lanes(level, items: Array(0..<runs)) { index in
        try await toGate(client, project: project, brief: briefs[index % briefs.count])
      }
      let planned = (ContinuousClock.now - planning).seconds
      let cpuAtGates = cpu() ?? 0
      let databaseAtGates = ProcessCPU.seconds(ofProcessesNamed: "postgres")
      var transactionsPerPlan: Double?
      if let before = counted, let after = try await transactions() {
        transactionsPerPlan = Double(after - before) / Double(runs)
      }
      let cpuBeforeEnds = cpu() ?? 0
      let finishing = ContinuousClock.now
      let ends = try await lanes(level, items: gates) { gate in try await toEnd(client, gate) }
      let finished = (ContinuousClock.now - finishing).seconds
      let cpuAtEnds = cpu() ?? 0
      results.append(
        Level(
          level: level, plansPerSecond: Double(runs) / planned, completionsPerSecond: Double(runs) / finished,
          toGate: gates.map(\.milliseconds), toComplete: ends,
          cpuPerPlan: (cpuAtGates - cpuAtStart) * 1000 / Double(runs),
          cpuPerEnd: (cpuAtEnds - cpuBeforeEnds) * 1000 / Double(runs),
          databaseCPUPerPlan: databaseAtGates.flatMap { after in databaseAtStart.map { (after - $0) * 1000 / Double(runs) } },
          transactionsPerPlan: transactionsPerPlan))
    }
    return results
  }

  /// `work` over `items`, `level` lanes at a time, results in no particular order.
  static func lanes<Item: Sendable, Result: Sendable>(
    _ level: Int, items: [Item], _ work: @escaping @Sendable (Item) async throws -> Result
  ) async throws -> [Result] {
    try await withThrowingTaskGroup(of: [Result].self) { group in
      for lane in 0..<level {
        let mine = items.enumerated().filter { $0.offset % level == lane }.map(\.element)
        group.addTask {
          var results: [Result] = []
          for item in mine { results.append(try await work(item)) }
          return results
        }
      }
      return try await group.reduce([], +)
    }
  }

  /// Thrown to leave a stream at the gate: the server keeps a waiting run's stream open.
  struct AtGate: Error {}

  struct Gate: Sendable {
    var id: String
    var lastEventID: String?
    var milliseconds: Double
  }

  /// Submits a brief and follows its stream until gate-waiting.
  static func toGate(_ client: APIClient, project: String, brief: String) async throws -> Gate {
    let started = ContinuousClock.now
    let created = try await client.send(.POST, "/v1/projects/\(project)/decision-sets", json: ["brief": brief])
    guard let id = created.fields["id"] as? String else { throw ValidationError("no decision set id") }
    var lastEventID: String?
    do {
      try await client.followEvents("/v1/decision-sets/\(id)/stream", lastEventID: nil) { event in
        if !event.id.isEmpty { lastEventID = event.id }
        if event.event == "run-error" || event.event == "run-complete" {
          throw ValidationError("run \(id) ended before the gate: \(event.data)")
        }
        if event.event == "gate-waiting" { throw AtGate() }
        return true
      }
      throw ValidationError("the stream of \(id) closed before the gate")
    } catch is AtGate {}
    return Gate(id: id, lastEventID: lastEventID, milliseconds: (ContinuousClock.now - started).milliseconds)
  }

  /// Approves a run at its gate and follows its stream to run-complete; milliseconds taken.
  static func toEnd(_ client: APIClient, _ gate: Gate) async throws -> Double {
    let started = ContinuousClock.now
    let id = gate.id
    _ = try await client.send(.POST, "/v1/decision-sets/\(id)/approve", json: ["status": "approved"])
    var status = ""
    try await client.followEvents("/v1/decision-sets/\(id)/stream", lastEventID: gate.lastEventID) { event in
      if event.event == "run-error" { throw ValidationError("run \(id) failed: \(event.data)") }
      guard event.event == "run-complete" else { return true }
      status = (try? JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any])?["status"] as? String ?? ""
      return false
    }
    guard status == "completed" else { throw ValidationError("run \(id) ended \(status)") }
    return (ContinuousClock.now - started).milliseconds
  }
}
