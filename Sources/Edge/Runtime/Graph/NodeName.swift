/// The graph's nodes, in topology order (DESIGN.md, "The graph").
package enum NodeName: String, CaseIterable, Sendable, Codable {
  case intakeExtract = "intake_extract"
  case coverageCheck = "coverage_check"
  case adaptiveQuestions = "adaptive_questions"
  case planner
  case criticTech = "critic_tech"
  case criticCost = "critic_cost"
  case policyEval = "policy_eval"
  case gateHITL = "gate_hitl"
  case codegen
  case validators
  case rationaleCompile = "rationale_compile"
  case diffAndPersist = "diff_and_persist"

  /// Nodes after which the run stops until a person answers.
  package var isInterrupt: Bool { self == .adaptiveQuestions || self == .gateHITL }

  /// Whether this step's node may start while the step before it is still committing
  /// (`RunAhead`): a run ahead from a checkpoint that does not commit is dropped, so only a
  /// node whose whole output is its state, events and `StepEffects` may. Codegen stages the
  /// bundle, the validators fill scratch folders and diff_and_persist commits to git.
  package var mayRunAhead: Bool {
    switch self {
    case .codegen, .validators, .diffAndPersist: false
    default: true
    }
  }
}
