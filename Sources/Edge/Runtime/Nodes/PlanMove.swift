import Contracts

/// What people's corrections did to the plan, in the words of the planner's next card: the
/// corrections, then each capability whose option moved, or that none did.
enum PlanMove {
  static func after(
    _ edits: ArraySlice<Mlops_V1_ConstraintEdit>, _ choices: ArraySlice<Mlops_V1_CandidateChoice> = [],
    from previous: Mlops_V1_Plan, to plan: Mlops_V1_Plan
  ) -> String {
    let corrections = edits.map(\.summary) + choices.map(\.summary)
    let before = Dictionary(previous.components.map { ($0.id, $0.option) }, uniquingKeysWith: { first, _ in first })
    let after = Dictionary(plan.components.map { ($0.id, $0.option) }, uniquingKeysWith: { first, _ in first })
    guard !previous.components.isEmpty else {
      return "Planned with the corrected constraints: " + corrections.joined(separator: "; ") + "."
    }
    let moved = Set(before.keys).union(after.keys).sorted().compactMap { capability -> String? in
      let old = before[capability] ?? "none"
      let new = after[capability] ?? "none"
      return old == new ? nil : "\(capability) \(old) → \(new)"
    }
    let verdict =
      moved.isEmpty
      ? "The plan did not move: every choice still holds under the corrected constraints."
      : "The plan moved: \(moved.joined(separator: ", "))."
    return "Planned again after " + corrections.joined(separator: "; ") + ". " + verdict
  }
}
