import Contracts
import Domain

/// A person's pick of another candidate for a capability, checked against the plan's own
/// decisions: only a candidate the planner weighed and the constraints allow may be picked.
package enum CandidatePick {
  package struct Refused: Error, Equatable, CustomStringConvertible {
    package var capability: String
    package var description: String
  }

  static func choice(
    capability: String, option: String, in plan: Mlops_V1_Plan, by person: String, at chosenAt: String, comment: String
  ) throws -> Mlops_V1_CandidateChoice {
    let decision = plan.decisions.first { ProtoNames.capability[capability] == $0.capability && $0.needed }
    guard let decision else {
      let needed = plan.decisions.filter(\.needed).compactMap { ProtoNames.name($0.capability, in: ProtoNames.capability) }
      throw Refused(
        capability: capability,
        description: "the plan has no needed capability \(capability.debugDescription); it has \(needed.joined(separator: ", "))")
    }
    let allowed = decision.candidates.filter { !$0.isExcluded }
    guard let picked = allowed.first(where: { $0.option == option }) else {
      throw Refused(
        capability: capability,
        description:
          "\(option.debugDescription) is not a candidate the constraints allow for \(capability); pick one of \(allowed.map(\.option).joined(separator: ", "))"
      )
    }
    let planners = decision.candidates.first(where: \.chosen)
    return .with {
      $0.capability = capability
      $0.option = picked.option
      $0.score = picked.score
      $0.plannerOption = planners?.option ?? decision.chosenOption
      $0.plannerScore = planners?.score ?? 0
      $0.chosenBy = person
      $0.chosenAt = chosenAt
      $0.comment = comment
    }
  }
}
