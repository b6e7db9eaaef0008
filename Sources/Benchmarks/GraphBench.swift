import ArgumentParser
import Assembly
import Contracts
import EdgeAPI
import EdgeRuntime
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Whole runs of the 12-node graph with no-op nodes, a checkpoint per step, through both
/// interrupts (answers, then approval), sequentially and concurrently.
struct GraphBench: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "graph", abstract: "Runs per second and per-run latency of the 12-node graph with no-op nodes.")

  @Option(help: "Runs per measurement.") var runs = 300
  @Option(help: "Concurrency levels, comma-separated.") var concurrency = "1,8"

  func run() async throws {
    let environment = try ProcessEnvironment.load(label: "bench")
    let levels = concurrency.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    let runs = self.runs
    let logger = environment.logger
    let (results, stored, statements) = try await BenchDatabase.withScratch(environment: environment) { client in
      let queue = JobQueue(client: client, logger: logger)
      let engine = GraphEngine(client: client, nodes: NodeName.allCases.map(NoOpNode.init), queue: queue, logger: logger)
      var results: [(level: Int, seconds: Double, latencies: [Double], cpu: CPUPerRun)] = []
      var stored = StoredBytes()
      var statements: Double?
      for level in levels {
        let (project, threads) = try await Self.threads(runs, client: client, logger: logger)
        _ = try await Self.oneRun(engine, thread: threads[0], project: project, client: client, logger: logger)  // warm-up
        let pending = Array(threads.dropFirst())
        let committedBefore = statements == nil ? try await Self.transactions(client: client, logger: logger) : nil
        let cpuBefore = CPUPerRun.now()
        let start = ContinuousClock.now
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
          for lane in 0..<level {
            let mine = pending.enumerated().filter { $0.offset % level == lane }.map(\.element)
            group.addTask {
              var samples: [Double] = []
              for thread in mine {
                samples.append(try await Self.oneRun(engine, thread: thread, project: project, client: client, logger: logger))
              }
              return samples
            }
          }
          return try await group.reduce([], +)
        }
        let seconds = (ContinuousClock.now - start).milliseconds / 1000
        results.append((level, seconds, latencies, CPUPerRun.now().since(cpuBefore, runs: pending.count)))
        if let committedBefore {
          let committedAfter = try await Self.transactions(client: client, logger: logger)
          statements = Double(committedAfter - committedBefore) / Double(pending.count)
        }
        stored = try await StoredBytes.perRun(of: pending, client: client, logger: logger)
      }
      return (results, stored, statements ?? 0)
    }

    Console.line("graph: 12 no-op nodes, both interrupts, one transaction per step (start + 13 steps + 2 resumes a run)")
    printTable(
      ["concurrency", "runs", "runs/s", "p50 ms", "p95 ms", "p99 ms", "CPU ms/run: mlops", "postgres"],
      results.map { result in
        let p = Percentiles(result.latencies)
        return [
          String(result.level), String(result.latencies.count), formatted(Double(result.latencies.count) / result.seconds, 1),
          formatted(p.value(50)), formatted(p.value(95)), formatted(p.value(99)), formatted(result.cpu.client),
          result.cpu.database.map { formatted($0) } ?? "not seen",
        ]
      })
    Console.line(
      "stored per run: checkpoints \(stored.checkpoints) B, events \(stored.events) B, agent runs \(stored.agentRuns) B"
        + " (row sizes, pg_column_size)")
    Console.line(
      "database statements per run: \(formatted(statements, 1)) (pg_stat_database transactions over the first level's runs,"
        + " each statement its own transaction or one transaction)")
    var figures: [String: Any] = [
      "benchmark": "graph", "runs": runs - 1, "checkpoint_and_event_bytes_per_run": stored.checkpoints + stored.events,
      "agent_run_bytes_per_run": stored.agentRuns, "statements_per_run": (statements * 10).rounded() / 10,
    ]
    for result in results {
      let p = Percentiles(result.latencies)
      figures["runs_per_second_c\(result.level)"] = (Double(result.latencies.count) / result.seconds * 10).rounded() / 10
      figures["p50_ms_c\(result.level)"] = (p.value(50) * 100).rounded() / 100
      figures["p95_ms_c\(result.level)"] = (p.value(95) * 100).rounded() / 100
      figures["mlops_cpu_ms_per_run_c\(result.level)"] = (result.cpu.client * 100).rounded() / 100
      if let database = result.cpu.database {
        figures["postgres_cpu_ms_per_run_c\(result.level)"] = (database * 100).rounded() / 100
      }
    }
    Console.line(jsonLine(figures))
  }

  /// The CPU a run costs this process and, when it runs on this host, the database: on this
  /// machine's two cores their sum bounds the runs per second any concurrency can reach.
  struct CPUPerRun: Sendable {
    var client: Double
    var database: Double?

    static func now() -> CPUPerRun {
      CPUPerRun(client: ProcessCPU.ofThisProcess ?? 0, database: ProcessCPU.seconds(ofProcessesNamed: "postgres"))
    }

    /// Milliseconds per run from `before` to this reading.
    func since(_ before: CPUPerRun, runs: Int) -> CPUPerRun {
      let count = Double(max(runs, 1))
      return CPUPerRun(
        client: (client - before.client) * 1000 / count,
        database: database.flatMap { after in before.database.map { (after - $0) * 1000 / count } })
    }
  }

  /// The scratch database's committed and rolled-back transactions so far: a statement outside
  /// a transaction is one, so over a benchmark's runs it counts their round trips. A backend
  /// reports its counts once idle for a while (PostgreSQL's stats flush), hence the wait.
  static func transactions(client: PostgresClient, logger: Logger) async throws -> Int {
    try await Task.sleep(for: .seconds(11))
    let rows = try await client.query(
      "SELECT (xact_commit + xact_rollback)::bigint FROM pg_stat_database WHERE datname = current_database()",
      logger: logger)
    for try await count in rows.decode(Int.self) { return count }
    return 0
  }

  /// What a whole run leaves in the database, on average over the runs measured.
  struct StoredBytes: Sendable {
    var checkpoints = 0
    var events = 0
    var agentRuns = 0

    static func perRun(of threads: [UUID], client: PostgresClient, logger: Logger) async throws -> StoredBytes {
      let rows = try await client.query(
        """
        SELECT (SELECT COALESCE(sum(pg_column_size(c.*)), 0) FROM checkpoints c WHERE thread_id = ANY(\(threads)))::bigint,
               (SELECT COALESCE(sum(pg_column_size(e.*)), 0) FROM events e WHERE decision_set_id = ANY(\(threads)))::bigint,
               (SELECT COALESCE(sum(pg_column_size(a.*)), 0) FROM agent_runs a WHERE thread_id = ANY(\(threads)))::bigint
        """, logger: logger)
      let count = max(threads.count, 1)
      for try await (checkpoints, events, agentRuns) in rows.decode((Int, Int, Int).self) {
        return StoredBytes(checkpoints: checkpoints / count, events: events / count, agentRuns: agentRuns / count)
      }
      return StoredBytes()
    }
  }

  static func threads(_ count: Int, client: PostgresClient, logger: Logger) async throws -> (UUID, [UUID]) {
    let project = UUID()
    try await client.query("INSERT INTO projects (id, name) VALUES (\(project), 'bench')", logger: logger)
    let rows = try await client.query(
      """
      INSERT INTO decision_sets (id, project_id, brief)
      SELECT gen_random_uuid(), \(project), 'bench' FROM generate_series(1, \(count)) RETURNING id
      """, logger: logger)
    var threads: [UUID] = []
    for try await id in rows.decode(UUID.self) { threads.append(id) }
    return (project, threads)
  }

  /// One whole run, as workers and people would drive it; returns its wall time in ms.
  static func oneRun(
    _ engine: GraphEngine, thread: UUID, project: UUID, client: PostgresClient, logger: Logger
  ) async throws -> Double {
    let start = ContinuousClock.now
    _ = try await client.withTransaction(logger: logger) { connection in
      try await engine.runs.start(threadID: thread, projectID: project, state: .with { $0.brief = "bench" }, on: connection)
    }
    try await runClaimed(engine, thread: thread)
    try await engine.runs.resume(threadID: thread) {
      $0.answers = [
        .with {
          $0.questionID = "q"; $0.value = "yes"
        }
      ]
    }
    try await runClaimed(engine, thread: thread)
    try await engine.runs.resume(threadID: thread) { $0.approval.status = .approved }
    try await runClaimed(engine, thread: thread)
    return (ContinuousClock.now - start).milliseconds
  }

  /// Runs this thread's pending job (a benchmark lane owns its threads, so it claims its own).
  static func runClaimed(_ engine: GraphEngine, thread: UUID) async throws {
    let job = try await engine.queue.claim(threadID: thread, owner: "bench", lease: .seconds(60))
    guard let job else { throw ValidationError("no job for \(thread)") }
    _ = try await engine.run(job)
  }
}

/// A node that does nothing but what the topology needs to move: coverage is insufficient
/// until answered, one question is asked, policy passes.
struct NoOpNode: GraphNode {
  let name: NodeName
  var agent: String { "bench" }

  func run(state: Mlops_V1_DecisionState, context: NodeContext) async throws -> Mlops_V1_DecisionState {
    var state = state
    switch name {
    case .coverageCheck: state.coverage.sufficient = !state.answers.isEmpty
    case .adaptiveQuestions: state.openQuestions = [.with { $0.id = "q" }]
    case .policyEval: state.policy.overall = .pass
    default: break
    }
    state.reasonCards.append(
      .with {
        $0.agent = agent; $0.node = name.rawValue
      })
    return state
  }
}
