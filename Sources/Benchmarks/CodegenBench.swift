import ArgumentParser
import Assembly
import Codegen
import Contracts
import Critics
import Foundation
import InProcessPipeline
import Planner
import Policy
import ServiceKit

/// Repository generation for typical plans (templates, reports, manifest; no validators),
/// in process, then one pass of every validator on one bundle with each tool's duration.
struct CodegenBench: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "codegen", abstract: "p50/p95/p99 of repository generation, and each validator's duration on one bundle.")

  @Option(help: "Generations to time.") var rounds = 200
  @Flag(help: "Skip the validators (they need the tools scripts/bootstrap installs).") var noValidators = false

  func run() async throws {
    guard rounds > 0 else { throw ValidationError("--rounds must be positive") }
    let environment = try ProcessEnvironment.load(label: "bench")
    let generator = try RepositoryGenerator()
    var requests: [Mlops_V1_GenerateRequest] = []
    for (index, brief) in PlannerBench.briefs.enumerated() {
      let reviewed = try await ReviewedPlan.make(brief: brief)
      requests.append(reviewed.generateRequest(projectName: "bench-\(index)"))
    }
    let prepared = requests
    var files = 0
    let samples = try await timedRounds(rounds) { index in
      let (repository, milliseconds) = try await timed { try generator.generate(prepared[index % prepared.count]) }
      files = repository.files.count
      return [("generate", milliseconds)]
    }
    let p = Percentiles(samples["generate"] ?? [])
    Console.line(
      "codegen: \(rounds) generations in process (release build expected), plans of \(prepared.count) briefs in turn, ~\(files) files each"
    )
    printTable(
      ["step", "runs", "p50 ms", "p95 ms", "p99 ms", "max ms"],
      [
        [
          "generate", String(p.sorted.count), formatted(p.value(50), 3), formatted(p.value(95), 3), formatted(p.value(99), 3),
          formatted(p.value(100), 3),
        ]
      ])
    var figures: [String: Any] = [
      "benchmark": "codegen", "rounds": rounds, "generate_p50_ms": (p.value(50) * 1000).rounded() / 1000,
      "generate_p95_ms": (p.value(95) * 1000).rounded() / 1000, "generate_p99_ms": (p.value(99) * 1000).rounded() / 1000,
    ]
    if !noValidators {
      let repository = try generator.generate(prepared[0])
      let suite = ValidatorSuite(
        configuration: try DomainServices.validators(environment.configuration, environment.codegen.validators))
      let (report, total) = try await timed { try await suite.validate(repository.files) }
      Console.line("validators on one bundle (\(repository.files.count) files), python and infrastructure lanes side by side:")
      printTable(
        ["validator", "outcome", "ms", "version"],
        report.results.map {
          [
            $0.tool, outcomeName($0.outcome) + ($0.skipReason.isEmpty ? "" : " (\($0.skipReason.prefix(60)))"),
            String($0.durationMs), $0.version,
          ]
        })
      for result in report.results {
        figures["validator_\(result.tool.replacingOccurrences(of: " ", with: "_"))_ms"] = Int(result.durationMs)
      }
      figures["validators_total_ms"] = Int(saturating: total)
      figures["validators_passed"] = report.passed
      figures["validators_complete"] = report.complete
    }
    Console.line(jsonLine(figures))
  }

  func outcomeName(_ outcome: Mlops_V1_ValidatorOutcome) -> String {
    switch outcome {
    case .pass: "pass"
    case .fail: "fail"
    case .skipped: "skipped"
    default: "unknown"
    }
  }
}
