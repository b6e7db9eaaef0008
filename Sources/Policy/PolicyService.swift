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
        $0.score = result.outcome == .pass ? 1 : result.outcome == .fail ? 0 : result.outcome == .notApplicable ? 1 : 0.5
        $0.reasons = [result.message] + result.evidence + (result.outcome == .waived ? [PolicySummary.waiverText(result)] : [])
        $0.chosen = [.fail, .warn, .waived].contains(result.outcome)
      }
    }
    card.choice = "\(ProtoNames.outcome(report.overall)): \(report.summary)"
    card.policySummary = report.summary
    card.rationale = Self.rationale(report)
    card.risks = engine.loadErrors.map { "custom rule pack not applied: \($0)" }
    card.confidence = 0.95
    return .with {
      $0.report = report
      $0.reasonCard = card
    }
  }

  /// What blocked the plan or what it passed with: failures with their fixes, warnings, and
  /// each waived rule with who waived it, why and until when.
  static func rationale(_ report: Mlops_V1_PolicyReport) -> String {
    let failed = report.results.filter { $0.outcome == .fail }
    let warned = report.results.filter { $0.outcome == .warn }
    let waived = report.results.filter { $0.outcome == .waived }
    var parts: [String] = []
    if failed.isEmpty {
      parts.append("No rule failed.")
      if !warned.isEmpty { parts.append("Warnings: " + warned.map { "\($0.ruleID) (\($0.message))" }.joined(separator: "; ")) }
    } else {
      parts.append("Blocked by " + failed.map { "\($0.ruleID): \($0.message); fix: \($0.remedy)" }.joined(separator: " | "))
    }
    if !waived.isEmpty {
      parts.append("Waived: " + waived.map { "\($0.ruleID) \(PolicySummary.waiverText($0))" }.joined(separator: "; "))
    }
    return parts.joined(separator: " ")
  }
}
