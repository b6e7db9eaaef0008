import Contracts
import Domain

/// One decision record (ADR) per Reason Card that took a decision, numbered in the order the
/// run took them: `docs/adr/0001-intake-extract.md`, ...
enum DecisionRecords {
  struct Record {
    var path: String
    var context: [String: Any]
  }

  static func records(_ cards: [Mlops_V1_ReasonCard]) -> [Record] {
    cards.filter { !$0.choice.isEmpty }.enumerated().map { index, card in
      let number = String(format: "%04d", index + 1)
      let file = "\(number)-\(card.node.replacingOccurrences(of: "_", with: "-")).md"
      let provider =
        card.hasProvider
        ? [card.provider.name, card.provider.model].filter { !$0.isEmpty }.joined(separator: " ")
          + (card.provider.fallbackReason.isEmpty ? "" : " (fallback: \(card.provider.fallbackReason))")
        : ""
      let candidates = card.candidates.map { candidate -> [String: Any] in
        [
          "option": candidate.option, "score": String(format: "%.2f", candidate.score),
          "chosen": candidate.chosen ? "yes" : "", "reasons": candidate.reasons.joined(separator: "; "),
        ]
      }
      let context: [String: Any] = [
        "number": number, "file": file, "title": title(card), "node": card.node, "agent": card.agent,
        "confidence": String(format: "%.2f", card.confidence), "provider": provider,
        "choice": card.choice, "rationale": card.rationale.isEmpty ? "Not stated." : card.rationale,
        "candidates": candidates, "has_candidates": !candidates.isEmpty,
        "risks": card.risks, "has_risks": !card.risks.isEmpty,
        "quoted_comments": card.quotedComments, "has_quoted_comments": !card.quotedComments.isEmpty,
        "policy_summary": card.policySummary, "cost_summary": card.costSummary,
      ]
      return Record(path: "docs/adr/\(file)", context: context)
    }
  }

  static func context(_ cards: [Mlops_V1_ReasonCard]) -> [String: Any] {
    ["decisions": records(cards).map(\.context)]
  }

  static func title(_ card: Mlops_V1_ReasonCard) -> String {
    let step =
      switch card.node {
      case "intake_extract": "Constraints read from the brief"
      case "coverage_check": "Enough known to plan"
      case "adaptive_questions": "Questions asked"
      case "planner": "Architecture"
      case "critic_tech": "Technical review"
      case "critic_cost": "Cost estimate"
      case "policy_eval": "Policy evaluation"
      case "gate_hitl": "Human review"
      case "codegen": "Generated repository"
      default: card.node.replacingOccurrences(of: "_", with: " ").capitalized
      }
    return step
  }
}
