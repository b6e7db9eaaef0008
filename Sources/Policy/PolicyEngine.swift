import Contracts
import Domain
import Foundation

/// Every rule of every pack against a plan: one result per rule, the project's waivers over
/// them, the overall outcome (fail if any unwaived rule fails, else warn if any warns, else
/// pass) and a one-line summary.
public struct PolicyEngine: Sendable {
  public let packs: [RulePack]
  /// Custom packs that could not be loaded; the built-in packs still apply.
  public let loadErrors: [PolicyPackError]
  let catalog: CapabilityCatalog

  public init(packs: [RulePack] = RulePack.bundled, loadErrors: [PolicyPackError] = [], catalog: CapabilityCatalog = .bundled) {
    self.packs = packs
    self.loadErrors = loadErrors
    self.catalog = catalog
  }

  /// The built-in packs plus the valid ones from `directory` (`MLOPS_POLICY_DIR`).
  public static func withCustomPacks(from directory: URL?) -> PolicyEngine {
    guard let directory else { return PolicyEngine() }
    do {
      let custom = try RulePack.loadFolder(directory)
      return PolicyEngine(packs: RulePack.bundled + custom.packs, loadErrors: custom.errors)
    } catch {
      return PolicyEngine(
        packs: RulePack.bundled,
        loadErrors: [PolicyPackError(source: directory.path, rule: nil, problem: "cannot read the folder: \(error)")])
    }
  }

  public func evaluate(_ request: Mlops_V1_EvaluatePolicyRequest) -> Mlops_V1_PolicyReport {
    let inputs = PolicyInputs(
      plan: request.plan, constraints: request.constraints, cost: request.hasCost ? request.cost : nil,
      review: request.hasTechnicalReview ? request.technicalReview : nil, catalog: catalog)
    var report = Mlops_V1_PolicyReport()
    report.packs = packs.map(\.label)
    for pack in packs {
      for rule in pack.rules {
        let verdict = RuleEvaluation.evaluate(rule, inputs)
        // An info-level rule informs; it never fails a plan.
        let outcome = rule.severity == .info && verdict.outcome == .fail ? .warn : verdict.outcome
        report.results.append(
          .with {
            $0.ruleID = rule.id
            $0.description_p = rule.description
            $0.severity = rule.severity
            $0.outcome = outcome
            $0.message = verdict.message
            $0.evidence = verdict.evidence
            $0.remedy = verdict.remedy
          })
      }
    }
    WaiverApplication.apply(request.waivers, to: &report.results, at: RFC3339.date(request.evaluatedAt))
    report.overall = Self.overall(report.results.map(\.outcome))
    report.summary = Self.summary(report.results.map(\.outcome))
    return report
  }

  static func overall(_ outcomes: [Mlops_V1_RuleOutcome]) -> Mlops_V1_RuleOutcome {
    if outcomes.contains(.fail) { return .fail }
    if outcomes.contains(.warn) { return .warn }
    return .pass
  }

  static func summary(_ outcomes: [Mlops_V1_RuleOutcome]) -> String { PolicySummary.text(outcomes) }
}
