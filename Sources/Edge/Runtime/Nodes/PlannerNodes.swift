import Contracts
import ServiceKit

/// intake_extract: the brief (and any explicit overrides) into typed constraints.
struct IntakeExtractNode: GraphNode {
  let planner: any Mlops_V1_Planner.ClientProtocol
  var name: NodeName { .intakeExtract }
  var agent: String { "planner" }

  func run(state: Mlops_V1_DecisionState, context: NodeContext) async throws -> Mlops_V1_DecisionState {
    let response = try await planner.extractConstraints(
      .with {
        $0.brief = state.brief
        $0.overrides = state.constraints
      })
    var state = state
    state.constraints = response.constraints
    state.reasonCards.append(response.reasonCard.stamped(agent: agent, node: name))
    return state
  }
}

/// coverage_check: merges answers, scores coverage, and says which questions remain.
struct CoverageCheckNode: GraphNode {
  let planner: any Mlops_V1_Planner.ClientProtocol
  var name: NodeName { .coverageCheck }
  var agent: String { "planner" }

  func run(state: Mlops_V1_DecisionState, context: NodeContext) async throws -> Mlops_V1_DecisionState {
    let response = try await planner.checkCoverage(
      .with {
        $0.constraints = state.constraints
        // Who answered and when is for the record; the planner reads only the answers.
        $0.answers = state.answers.map { answer in
          var answer = answer
          answer.answeredBy = ""
          answer.answeredAt = ""
          return answer
        }
        $0.asked = state.openQuestions
        $0.round = state.questionRounds
      })
    var state = state
    state.constraints = response.constraints
    state.coverage = response.coverage
    state.openQuestions = response.questions
    let known = Set(state.askedQuestions.map(\.id))
    state.askedQuestions.append(contentsOf: response.questions.filter { !known.contains($0.id) })
    state.reasonCards.append(response.reasonCard.stamped(agent: agent, node: name))
    return state
  }
}

/// adaptive_questions: puts the open questions to people; the run then waits for answers.
struct AdaptiveQuestionsNode: GraphNode {
  var name: NodeName { .adaptiveQuestions }
  var agent: String { "planner" }

  func run(state: Mlops_V1_DecisionState, context: NodeContext) async throws -> Mlops_V1_DecisionState {
    var state = state
    state.questionRounds += 1
    let fields = state.openQuestions.map(\.field)
    // Asked after coverage was enough: the planner asks to relax what rules a capability out.
    let fromPlanner = state.coverage.sufficient
    state.reasonCards.append(
      .with {
        $0.agent = agent
        $0.node = name.rawValue
        $0.choice = "ask \(state.openQuestions.count) question(s)"
        $0.rationale =
          fromPlanner
          ? state.openQuestions.map(\.why).joined(separator: " ")
          : "Coverage \(Int(saturating: state.coverage.score * 100))% is below the \(Int(saturating: state.coverage.threshold * 100))% threshold; "
            + "missing or uncertain: \(fields.joined(separator: ", "))."
        $0.confidence = state.coverage.score
      })
    return state
  }
}

/// planner: composes the architecture from capability patterns.
struct PlannerNode: GraphNode {
  let planner: any Mlops_V1_Planner.ClientProtocol
  var name: NodeName { .planner }
  var agent: String { "planner" }

  func run(state: Mlops_V1_DecisionState, context: NodeContext) async throws -> Mlops_V1_DecisionState {
    let response = try await planner.composePlan(
      .with {
        $0.constraints = state.constraints
        $0.choices = state.pickedOptions
      })
    var state = state
    var card = response.reasonCard
    if state.hasUnplannedCorrection {
      let edits = state.constraintEdits[Int(state.plannedEdits)...]
      let choices = state.candidateChoices[Int(state.plannedChoices)...]
      card.rationale = PlanMove.after(edits, choices, from: state.plan, to: response.plan) + "\n" + card.rationale
      state.plannedEdits = Int32(state.constraintEdits.count)
      state.plannedChoices = Int32(state.candidateChoices.count)
    }
    state.plan = response.plan
    // A capability no option fits is put to people once per constraint; asked again after
    // they kept it, the run stops here (`GraphTopology`) instead of asking for ever.
    let asked = Set(state.askedQuestions.map(\.id))
    state.openQuestions = response.questions.filter { !asked.contains($0.id) }
    state.askedQuestions.append(contentsOf: state.openQuestions)
    if !response.questions.isEmpty, state.openQuestions.isEmpty {
      card.choice = "stop: \(response.questions.map(\.field).joined(separator: ", ")) still rule(s) out every option after asking"
    }
    state.reasonCards.append(card.stamped(agent: agent, node: name))
    return state
  }
}
