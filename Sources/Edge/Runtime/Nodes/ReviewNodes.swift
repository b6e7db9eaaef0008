import Contracts
import ServiceKit

/// critic_tech: the technical critic's findings on the plan.
struct TechnicalCriticNode: GraphNode {
  let critics: any Mlops_V1_Critics.ClientProtocol
  var name: NodeName { .criticTech }
  var agent: String { "critic_tech" }

  func run(state: Mlops_V1_DecisionState, context: NodeContext) async throws -> Mlops_V1_DecisionState {
    let response = try await critics.reviewTechnical(
      .with {
        $0.plan = state.plan
        $0.constraints = state.constraints
      })
    var state = state
    state.technicalReview = response.review
    state.reasonCards.append(response.reasonCard.stamped(agent: agent, node: name))
    return state
  }
}

/// critic_cost: the monthly cost with its breakdown and the delta against the last version.
struct CostCriticNode: GraphNode {
  let critics: any Mlops_V1_Critics.ClientProtocol
  var name: NodeName { .criticCost }
  var agent: String { "critic_cost" }

  func run(state: Mlops_V1_DecisionState, context: NodeContext) async throws -> Mlops_V1_DecisionState {
    let response = try await critics.estimateCost(
      .with {
        $0.plan = state.plan
        $0.constraints = state.constraints
        if state.hasPreviousCost { $0.previous = state.previousCost }
      })
    var state = state
    var card = response.reasonCard
    // Estimated before in this version: the plan was made again after a correction.
    if state.plannedEdits > 0, state.hasCost, !state.cost.breakdown.isEmpty {
      let before = state.cost.monthlyUsd
      let after = response.estimate.monthlyUsd
      card.rationale =
        (before == after
          ? "The correction left the estimate at $\(String(format: "%.2f", after)) a month. "
          : "After the correction: $\(String(format: "%.2f", before)) → $\(String(format: "%.2f", after)) a month. ")
        + card.rationale
    }
    state.cost = response.estimate
    state.reasonCards.append(card.stamped(agent: agent, node: name))
    context.events.emit(.costUpdate, payload: try ProtoJSON.string(response.estimate))
    return state
  }
}

/// policy_eval: every rule pack against the plan; a failure blocks the run before the gate.
struct PolicyEvalNode: GraphNode {
  let policy: any Mlops_V1_Policy.ClientProtocol
  var name: NodeName { .policyEval }
  var agent: String { "policy" }

  func run(state: Mlops_V1_DecisionState, context: NodeContext) async throws -> Mlops_V1_DecisionState {
    let response = try await policy.evaluate(
      .with {
        $0.plan = state.plan
        $0.constraints = state.constraints
        $0.cost = state.cost
        $0.technicalReview = state.technicalReview
        // The instant matters only to waivers; without any, the request stays the same bytes
        // run after run, and so does the hash its Reason Card records.
        if !state.waivers.isEmpty {
          $0.waivers = state.waivers
          $0.evaluatedAt = state.submittedAt
        }
      })
    var state = state
    state.policy = response.report
    state.reasonCards.append(response.reasonCard.stamped(agent: agent, node: name))
    context.events.emit(.policyUpdate, payload: try ProtoJSON.string(response.report))
    return state
  }
}

/// gate_hitl: sums up what a reviewer approves and applies the project's gate rule: the run
/// waits for the decision, or (a revision within the rule's thresholds) passes by itself, the
/// card naming the rule that decided and the cost delta either way.
struct ApprovalGateNode: GraphNode {
  var name: NodeName { .gateHITL }
  var agent: String { "gate" }

  func run(state: Mlops_V1_DecisionState, context: NodeContext) async throws -> Mlops_V1_DecisionState {
    var state = state
    let decision = GateDecision.decide(state)
    let components = state.plan.components.map { "\($0.id): \($0.option)" }
    let ruleLine = "Gate rule \(decision.rule), \(decision.deltaText): \(decision.reasons.joined(separator: "; "))."
    if decision.passes {
      state.approval = .with {
        $0.status = .approved
        $0.reviewer = "gate rule \(GateDecision.thresholdsMode)"
        $0.passedByRule = "\(decision.rule): \(decision.reasons.joined(separator: "; "))"
        $0.decidedAt = state.submittedAt
      }
    } else {
      state.approval = .with { $0.status = .pending }
    }
    state.reasonCards.append(
      .with {
        $0.agent = agent
        $0.node = name.rawValue
        $0.choice = decision.passes ? "pass without a reviewer (\(decision.rule))" : "wait for a reviewer"
        $0.candidates = [
          .with {
            $0.option = "wait for a reviewer"
            $0.score = decision.passes ? 0 : 1
            $0.chosen = !decision.passes
          },
          .with {
            $0.option = "pass by the gate rule"
            $0.score = decision.passes ? 1 : 0
            $0.chosen = decision.passes
            $0.reasons = decision.reasons
          },
        ]
        $0.rationale =
          (decision.passes
            ? "The revision passes the gate by itself. "
            : "The plan is ready for review: \(components.joined(separator: ", ")). ")
          + ruleLine
        $0.policySummary = state.policy.summary
        $0.costSummary =
          String(format: "$%.2f per month (%@)", state.cost.monthlyUsd, state.cost.method) + ", \(decision.deltaText)"
        $0.confidence = 1
      })
    return state
  }
}
