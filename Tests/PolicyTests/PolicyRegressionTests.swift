import Contracts
import Domain
import Foundation
import InProcessPipeline
import Policy
import Testing

/// Briefs through the planner, both critics and the policy engine, as the graph runs them,
/// against reviewed expected outcomes (Fixtures/expected-outcomes.json). A change is
/// reviewed: MLOPS_RECORD_SNAPSHOTS=1 writes the new outcomes; read the diff before committing.
@Suite struct PolicyRegressionTests {
  struct Outcome: Codable, Equatable {
    var overall: String
    var failed: [String]
    var warned: [String]
  }

  static func run(_ brief: String) async throws -> Mlops_V1_PolicyReport {
    try await runAll(brief).report
  }

  static func runAll(_ brief: String) async throws -> (
    plan: Mlops_V1_Plan, cost: Mlops_V1_CostEstimate, report: Mlops_V1_PolicyReport
  ) {
    let reviewed = try await ReviewedPlan.make(brief: brief)
    return (reviewed.plan, reviewed.cost, reviewed.policy)
  }

  @Test func everyPlanInTheSuiteHasItsExpectedOutcome() async throws {
    let fixtures = try #require(Bundle.module.url(forResource: "Fixtures/plans", withExtension: "json"))
    let plans = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: fixtures)) as? [[String: String]])
    #expect(plans.count >= 20)
    var actual: [String: Outcome] = [:]
    for plan in plans {
      let (composed, cost, report) = try await Self.runAll(plan["brief"] ?? "")
      for component in composed.components {
        #expect(
          cost.breakdown.contains { $0.component == component.id }, "\(plan["name"] ?? ""): \(component.id) has no BOM line")
      }
      actual[plan["name"] ?? "?"] = Outcome(
        overall: ProtoNames.outcome(report.overall), failed: report.results.filter { $0.outcome == .fail }.map(\.ruleID),
        warned: report.results.filter { $0.outcome == .warn }.map(\.ruleID))
      #expect(report.results.count == 12)
    }
    let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "Fixtures/expected-outcomes.json")
    if ProcessInfo.processInfo.environment["MLOPS_RECORD_SNAPSHOTS"] == "1" {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      try encoder.encode(actual).write(to: file)
    }
    let expected = try JSONDecoder().decode([String: Outcome].self, from: Data(contentsOf: file))
    for (name, outcome) in actual.sorted(by: { $0.key < $1.key }) {
      #expect(expected[name] == outcome, "\(name): expected \(String(describing: expected[name])), got \(outcome)")
    }
    #expect(Set(expected.keys) == Set(actual.keys))
    let overalls = Set(actual.values.map(\.overall))
    #expect(overalls.isSuperset(of: ["pass", "warn", "fail"]), "the suite covers every outcome: \(overalls)")
  }
}
