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
      var context: [String: Any] = [
        "number": number, "file": file, "title": title(card), "node": card.node, "agent": card.agent,
        "confidence": String(format: "%.2f", card.confidence),
        "choice": card.choice, "rationale": card.rationale.isEmpty ? "Not stated." : card.rationale,
        "candidates": candidates, "has_candidates": !candidates.isEmpty,
        "risks": card.risks, "has_risks": !card.risks.isEmpty,
        "quoted_comments": card.quotedComments, "has_quoted_comments": !card.quotedComments.isEmpty,
      ]
      // A line whose value is empty is left out (an empty string is still a truthy section).
      for (key, value) in [("provider", provider), ("policy_summary", card.policySummary), ("cost_summary", card.costSummary)]
      where !value.isEmpty {
        context[key] = value
      }
      return Record(path: "docs/adr/\(file)", context: context)
    }
  }

  static func context(_ cards: [Mlops_V1_ReasonCard]) -> [String: Any] {
    ["decisions": records(cards).map(\.context)]
  }

  /// The record's front page: the brief as written, every question with its answer and who
  /// gave it, and the approval.
  static func inputs(_ request: Mlops_V1_GenerateRequest) -> [String: Any] {
    let answers = Dictionary(request.answers.map { ($0.questionID, $0) }, uniquingKeysWith: { _, last in last })
    let questions = request.questions.map { question -> [String: Any] in
      let answer = answers[question.id]
      let value = answer.map { $0.values.isEmpty ? $0.value : $0.values.joined(separator: ", ") } ?? ""
      var entry: [String: Any] = [
        "id": question.id, "text": question.text,
        "answer": value.isEmpty ? "not answered (the plan used the default it states)" : value,
      ]
      if let answer, !answer.answeredBy.isEmpty { entry["answered_by"] = answer.answeredBy }
      if let answer, !answer.answeredAt.isEmpty { entry["answered_at"] = answer.answeredAt }
      return entry
    }
    let approval = request.approval
    var context: [String: Any] = [
      "brief_lines": request.brief.isEmpty
        ? ["(not recorded)"] : request.brief.split(separator: "\n", omittingEmptySubsequences: false).map(String.init),
      "questions": questions, "has_questions": !questions.isEmpty,
      "approval_status": ProtoNames.approvalStatus(approval.status),
      "approval_inline": approval.inlineComments.map { ["path": $0.path, "text": $0.text] },
      "has_approval_inline": !approval.inlineComments.isEmpty,
      "corrections": request.constraintEdits.map { edit -> [String: Any] in
        [
          "by": edit.editedBy.isEmpty ? "someone" : edit.editedBy, "at": edit.editedAt,
          "step": edit.at == "gate_hitl" ? "at the review gate" : "at the questions", "changes": edit.changes,
          "comment": edit.comment, "has_comment": !edit.comment.isEmpty,
        ]
      },
      "candidate_picks": request.candidateChoices.map { choice -> [String: Any] in
        [
          "by": choice.chosenBy.isEmpty ? "someone" : choice.chosenBy, "at": choice.chosenAt, "capability": choice.capability,
          "option": choice.option, "score": String(format: "%.2f", choice.score), "planner_option": choice.plannerOption,
          "planner_score": String(format: "%.2f", choice.plannerScore), "comment": choice.comment,
          "has_comment": !choice.comment.isEmpty,
        ]
      },
      "has_corrections": !request.constraintEdits.isEmpty || !request.candidateChoices.isEmpty,
    ]
    for (key, value) in [
      ("approval_reviewer", approval.reviewer), ("approval_at", approval.decidedAt), ("approval_comment", approval.comment),
    ] where !value.isEmpty {
      context[key] = value
    }
    return context
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
