import ArgumentParser
import Assembly
import AsyncHTTPClient
import Codegen
import EdgeRuntime
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Faults on purpose: whole runs through the platform (this binary, its embedded
/// PostgreSQL) with a process killed or PostgreSQL restarted at a random moment inside a
/// step, then checked for what a crash may not do: lose a run, do a step's work twice,
/// corrupt a bundle or a repository, or leave a process or a temporary file behind.
///
/// - `serve`: `kill -9` of `mlops serve`'s whole process group and of the embedded postmaster,
///   then a restart.
/// - `postgres`: `pg_ctl restart -m immediate` under a running `mlops serve`.
/// - `worker`: in the production topology (edge, four services and two workers apart), `kill -9`
///   of the worker process holding the run's job, then a new worker.
/// - `service`: in the production topology, `kill -9` of the Codegen service (codegen and
///   validators steps only), back after up to 2 s.
struct ChaosBench: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "chaos",
    abstract: "kill serve, a worker or a service mid-step, or restart PostgreSQL; count lost, doubled and corrupt runs.")

  @Option(help: "Faults per scenario and step.") var iterations = 20
  @Option(help: "Steps to kill serve in, comma-separated.")
  var steps = "codegen,validators,rationale_compile,diff_and_persist"
  @Option(help: "Scenarios, comma-separated: serve, postgres, worker, service.")
  var scenarios = "serve,postgres,worker,service"
  @Option(help: "MLOPS_VALIDATORS for the platform under test.") var validators = "secret-scan"
  @Option(help: "Seconds a killed run may take to complete after the restart.") var recoverySeconds = 180

  static let brief =
    "Fraud scoring on card transactions at checkout, p95 under 80 ms, about $3k a month, PII, EU regions only. Peak traffic is 400 transactions per second. Retrain weekly with XGBoost."

  struct Row: Sendable {
    var scenario: String
    var step: String
    var iterations = 0
    var kills = 0
    var completed = 0
    var lost = 0
    var doubled = 0
    var corrupt = 0
    var orphans = 0
    var leftovers = 0
    var attempts = 0
    var recoverySeconds: [Double] = []
    /// Where the kills landed (the node running at that moment).
    var landed: [String: Int] = [:]

    var json: [String: Any] {
      [
        "scenario": scenario, "step": step, "iterations": iterations, "kills": kills, "completed": completed, "lost": lost,
        "doubled": doubled, "corrupt": corrupt, "orphans": orphans, "temporary_files_left": leftovers,
        "attempts_spent": attempts, "recovery_p50_s": Self.round(Percentiles(recoverySeconds).value(50)),
        "recovery_max_s": Self.round(recoverySeconds.max() ?? 0), "landed": landed,
      ]
    }

    static func round(_ value: Double) -> Double { (value * 100).rounded() / 100 }
  }

  static let scenarioNames = ["serve", "postgres", "worker", "service"]

  func run() async throws {
    let stepList = steps.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    let scenarioList = scenarios.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    guard iterations > 0, !stepList.isEmpty, scenarioList.allSatisfy({ Self.scenarioNames.contains($0) }) else {
      throw ValidationError(
        "--iterations must be positive, --steps non-empty, --scenarios among \(Self.scenarioNames.joined(separator: ", "))")
    }
    let logger = Logger(label: "bench-chaos")
    var rows: [Row] = []
    for scenario in scenarioList {
      let targets = scenario == "service" ? stepList.filter { ["codegen", "validators"].contains($0) } : stepList
      let lab = try ChaosLab(
        topology: ["worker", "service"].contains(scenario) ? .split : .serve, validators: validators, logger: logger)
      var lost = 0
      // A scenario that lost a run keeps its data directory and logs for a look.
      defer { lab.tearDown(keepingData: lost > 0) }
      for step in targets {
        var row = Row(scenario: scenario, step: step)
        for iteration in 1...iterations {
          row.iterations += 1
          do {
            try await lab.iterate(
              scenario: scenario, step: step, recovery: .seconds(recoverySeconds), into: &row)
          } catch {
            row.lost += 1
            Console.line("chaos \(scenario)/\(step) #\(iteration): \(error); the platform's logs: \(lab.logs)")
          }
          Console.line(
            "chaos \(scenario)/\(step) \(iteration)/\(iterations): \(row.completed) completed, \(row.lost) lost, \(row.kills) kills"
          )
        }
        lost += row.lost
        rows.append(row)
        Console.line(
          "chaos \(scenario)/\(step): \(row.completed)/\(row.iterations) completed, \(row.lost) lost, \(row.doubled) doubled, \(row.corrupt) corrupt"
        )
      }
    }
    Console.line(
      "chaos: the platform with its embedded PostgreSQL, deterministic providers, validators: \(validators); a lease of \(ChaosLab.leaseSeconds) s"
    )
    printTable(
      [
        "scenario", "step", "iterations", "kills", "completed", "lost", "doubled", "corrupt", "orphans", "tmp left",
        "attempts", "recover p50/max s",
      ],
      rows.map { row in
        [row.scenario, row.step]
          + [
            row.iterations, row.kills, row.completed, row.lost, row.doubled, row.corrupt, row.orphans, row.leftovers,
            row.attempts,
          ].map(String.init)
          + [String(format: "%.1f/%.1f", Percentiles(row.recoverySeconds).value(50), row.recoverySeconds.max() ?? 0)]
      })
    let totals: [String: Int] = [
      "iterations": rows.map(\.iterations).reduce(0, +), "kills": rows.map(\.kills).reduce(0, +),
      "completed": rows.map(\.completed).reduce(0, +), "lost": rows.map(\.lost).reduce(0, +),
      "doubled": rows.map(\.doubled).reduce(0, +), "corrupt": rows.map(\.corrupt).reduce(0, +),
      "orphans": rows.map(\.orphans).reduce(0, +), "temporary_files_left": rows.map(\.leftovers).reduce(0, +),
    ]
    let line: [String: Any] = ["bench": "chaos", "scenarios": rows.map(\.json), "totals": totals]
    let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
    Console.line(String(decoding: data, as: UTF8.self))
  }
}
