import Contracts
import EdgeRuntime
import Testing

/// After the planner: a plan with a needed capability unfilled goes to people (asking to
/// relax what rules it out), or ends the run once they kept it; it never reaches the critics.
@Suite struct GraphTopologyTests {
  static func state(unfilled: Bool, open: [String]) -> Mlops_V1_DecisionState {
    .with {
      $0.coverage.sufficient = true
      $0.plan.decisions = [
        .with {
          $0.capability = .serve
          $0.needed = true
          $0.chosenOption = unfilled ? "" : "ecs_fargate_service"
        },
        .with {
          $0.capability = .feature
          $0.needed = false
        },
      ]
      $0.openQuestions = open.map { id in .with { $0.id = id } }
    }
  }

  @Test func aWholePlanGoesToTheCritics() {
    #expect(GraphTopology.route(after: .planner, state: Self.state(unfilled: false, open: [])) == .node(.criticTech))
  }

  @Test func aPlanWithAHoleAsksThePersonToRelaxAConstraint() {
    #expect(
      GraphTopology.route(after: .planner, state: Self.state(unfilled: true, open: ["relax_throughput_rps"]))
        == .node(.adaptiveQuestions))
  }

  @Test func aPlanWithAHoleAfterThePersonKeptTheConstraintIsBlocked() {
    #expect(GraphTopology.route(after: .planner, state: Self.state(unfilled: true, open: [])) == .end(.blocked))
  }
}
