import Contracts

/// Where a run goes after a node: the fixed topology with its two conditional edges and two
/// interrupts.
///
/// ```
/// intake_extract → coverage_check ─(coverage < threshold)→ adaptive_questions ⏸ → coverage_check
///                                └→ planner ─(a capability no option fits)→ adaptive_questions
///                                     └→ critic_tech → critic_cost → policy_eval
///    → gate_hitl ⏸ → codegen → validators → rationale_compile → diff_and_persist → end
/// ```
package enum GraphTopology {
  package enum Route: Sendable, Equatable {
    case node(NodeName)
    /// Stop and wait for people: answers after adaptive_questions, a review after gate_hitl.
    case interrupt(waitingFor: WaitReason)
    case end(Mlops_V1_RunStatus)
  }

  package enum WaitReason: String, Sendable, Equatable {
    case answers, approval

    var status: Mlops_V1_RunStatus {
      self == .answers ? .waitingForAnswers : .waitingForApproval
    }
  }

  package static let entry = NodeName.intakeExtract

  /// The route after `node` ran and produced `state`.
  package static func route(after node: NodeName, state: Mlops_V1_DecisionState) -> Route {
    switch node {
    case .intakeExtract: .node(.coverageCheck)
    case .coverageCheck: state.coverage.sufficient ? .node(.planner) : .node(.adaptiveQuestions)
    case .adaptiveQuestions: .interrupt(waitingFor: .answers)
    // A plan with a needed capability unfilled goes to people, never to the critics.
    case .planner:
      !state.plan.hasUnfilledCapability
        ? .node(.criticTech) : state.openQuestions.isEmpty ? .end(.blocked) : .node(.adaptiveQuestions)
    case .criticTech: .node(.criticCost)
    case .criticCost: .node(.policyEval)
    case .policyEval: state.policy.overall == .fail ? .end(.blocked) : .node(.gateHITL)
    // The project's gate rule may have let a revision pass by itself (`GateDecision`).
    case .gateHITL: state.approval.status == .approved ? .node(.codegen) : .interrupt(waitingFor: .approval)
    case .codegen: .node(.validators)
    // A failed validator blocks publishing, and so does one that did not run unless the
    // project allows incomplete bundles: the run ends with the report and a run-error.
    case .validators: ValidatorsNode.publishable(state.validation) ? .node(.rationaleCompile) : .end(.failed)
    case .rationaleCompile: .node(.diffAndPersist)
    case .diffAndPersist: .end(.completed)
    }
  }

  /// Where a run waiting after `interrupt` goes once people answered, or nil while it still waits.
  package static func resumeRoute(after interrupt: NodeName, state: Mlops_V1_DecisionState) -> Route? {
    // Corrected constraints are planned again: scored afresh at the questions, from the
    // planner at the gate (the same version; the checkpoint history shows the branch).
    if state.hasUnplannedCorrection, state.approval.status != .approved, state.approval.status != .rejected {
      switch interrupt {
      case .adaptiveQuestions: return .node(.coverageCheck)
      case .gateHITL: return .node(.planner)
      default: break
      }
    }
    switch interrupt {
    case .adaptiveQuestions:
      let answered = Set(state.answers.map(\.questionID))
      return state.openQuestions.allSatisfy { answered.contains($0.id) } ? .node(.coverageCheck) : nil
    case .gateHITL:
      switch state.approval.status {
      case .approved: return .node(.codegen)
      case .rejected: return .end(.rejected)
      default: return nil
      }
    default:
      return nil
    }
  }
}

extension Mlops_V1_DecisionState {
  /// A correction of the constraints or a pick among the candidates the plan was not yet made with.
  var hasUnplannedCorrection: Bool {
    constraintEdits.count > plannedEdits || candidateChoices.count > plannedChoices
  }

  /// Each capability's latest pick.
  var pickedOptions: [String: String] {
    candidateChoices.reduce(into: [:]) { picked, choice in picked[choice.capability] = choice.option }
  }
}

extension Mlops_V1_Plan {
  /// A needed capability without a chosen option.
  var hasUnfilledCapability: Bool { decisions.contains { $0.needed && $0.chosenOption.isEmpty } }
}
