import Contracts
import Domain
import GRPCCore
import ServiceKit

/// The Policy service's gRPC face: every rule pack against the plan, with a Reason Card
/// naming the failed rules and what would fix them.
public struct PolicyService: Mlops_V1_Policy.SimpleServiceProtocol, NamedService {
  public static let serviceName = Mlops_V1_Policy.descriptor.fullyQualifiedService

  let engine: PolicyEngine

  public init(engine: PolicyEngine = PolicyEngine()) {
    self.engine = engine
  }

  public func evaluate(
    request: Mlops_V1_EvaluatePolicyRequest,
    context: ServerContext
  ) async throws -> Mlops_V1_EvaluatePolicyResponse {
    try request.requireValid()
    let report = engine.evaluate(request)
    var card = ReasonCards.card(
      agent: "policy", node: "policy_eval",
      inputs: "plan, constraints, cost and technical review; packs \(report.packs.joined(separator: ", "))",
      of: request)
    card.candidates = report.results.map { result in
      .with {
        $0.option = result.ruleID
        $0.score = result.outcome == .pass ? 1 : result.outcome == .warn ? 0.5 : result.outcome == .fail ? 0 : 1
        $0.reasons = [result.message] + result.evidence
        $0.chosen = result.outcome == .fail || result.outcome == .warn
      }
    }
    card.choice = "\(ProtoNames.outcome(report.overall)): \(report.summary)"
    card.policySummary = report.summary
    let failed = report.results.filter { $0.outcome == .fail }
    card.rationale =
      failed.isEmpty
      ? "No rule failed."
        + (report.results.contains { $0.outcome == .warn }
          ? " Warnings: "
            + report.results.filter { $0.outcome == .warn }.map { "\($0.ruleID) (\($0.message))" }.joined(separator: "; ") : "")
      : "Blocked by " + failed.map { "\($0.ruleID): \($0.message); fix: \($0.remedy)" }.joined(separator: " | ")
    card.risks = engine.loadErrors.map { "custom rule pack not applied: \($0)" }
    card.confidence = 0.95
    return .with {
      $0.report = report
      $0.reasonCard = card
    }
  }
}
