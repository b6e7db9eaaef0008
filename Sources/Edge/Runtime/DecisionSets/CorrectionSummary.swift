import Contracts
import Foundation

/// A person's correction or pick in one sentence, as Reason Cards and the console show it.
extension Mlops_V1_ConstraintEdit {
  package var summary: String {
    "\(editedBy.isEmpty ? "someone" : editedBy) corrected \(changes.joined(separator: "; "))"
      + (comment.isEmpty ? "" : " (\"\(comment)\")")
  }
}

extension Mlops_V1_CandidateChoice {
  package var summary: String {
    "\(chosenBy.isEmpty ? "someone" : chosenBy) chose \(option) (score \(String(format: "%.2f", score))) for "
      + "\(capability) over the planner's \(plannerOption) (score \(String(format: "%.2f", plannerScore)))"
      + (comment.isEmpty ? "" : " (\"\(comment)\")")
  }
}
