import Contracts
import EdgeRuntime
import Testing

/// When a version may pass the human gate by itself: only a revision, under `within_thresholds`,
/// whose policy does not fail, with no warning its previous version lacked, and whose cost
/// moved by at most both thresholds (either way).
@Suite struct GateDecisionTests {
  static func revision(
    from before: Double, to after: Double, warnings: [String] = [], previousWarnings: [String] = [],
    overall: Mlops_V1_RuleOutcome = .pass, mode: String = GateDecision.thresholdsMode
  ) -> Mlops_V1_DecisionState {
    .with {
      $0.version = 2
      $0.gateRule = .with {
        $0.mode = mode
        $0.maxDeltaUsd = 50
        $0.maxDeltaPercent = 10
      }
      $0.cost = .with {
        $0.monthlyUsd = after
        $0.delta = .with {
          $0.hasPrevious_p = true
          $0.previousMonthlyUsd = before
          $0.deltaUsd = after - before
        }
      }
      $0.policy = .with {
        $0.overall = overall
        $0.results = warnings.map { id in
          .with {
            $0.ruleID = id; $0.outcome = .warn
          }
        }
      }
      $0.previousPolicy = .with {
        $0.results = previousWarnings.map { id in
          .with {
            $0.ruleID = id; $0.outcome = .warn
          }
        }
      }
    }
  }

  @Test func aRevisionWithinBothThresholdsPasses() {
    let decision = GateDecision.decide(Self.revision(from: 1000, to: 1040))
    #expect(decision.passes)
    #expect(decision.deltaText == "Δcost +$40.00 (+4.0%)")
    #expect(GateDecision.decide(Self.revision(from: 1000, to: 960)).passes, "a saving within the thresholds passes too")
  }

  @Test func eachConditionThatFailsIsNamed() {
    let absolute = GateDecision.decide(Self.revision(from: 1000, to: 1060))
    #expect(!absolute.passes && absolute.reasons == ["the cost moved $60.00, more than $50.00"])
    let relative = GateDecision.decide(Self.revision(from: 100, to: 120))
    #expect(!relative.passes && relative.reasons == ["the cost moved 20.0%, more than 10.0%"])
    let drop = GateDecision.decide(Self.revision(from: 1000, to: 800))
    #expect(!drop.passes, "a large drop is a large change as well")
    let warned = GateDecision.decide(
      Self.revision(from: 1000, to: 1000, warnings: ["budget.band", "latency.slo"], previousWarnings: ["latency.slo"]))
    #expect(!warned.passes && warned.reasons == ["new warnings: budget.band"])
    #expect(GateDecision.decide(Self.revision(from: 1000, to: 1000, warnings: ["a"], previousWarnings: ["a"])).passes)
    #expect(!GateDecision.decide(Self.revision(from: 1000, to: 1000, overall: .fail)).passes)
  }

  /// A version a person corrected or re-picked at the gate waits for them, within thresholds or not.
  @Test func aCorrectedVersionWaitsForAReviewer() {
    var corrected = Self.revision(from: 1000, to: 1010)
    corrected.constraintEdits = [.with { $0.changes = ["latency_p95_ms: 150 ms → 100 ms"] }]
    let edited = GateDecision.decide(corrected)
    #expect(!edited.passes && edited.reasons == ["a person corrected version 2 before approval, so a reviewer decides"])
    var picked = Self.revision(from: 1000, to: 1010)
    picked.candidateChoices = [
      .with {
        $0.capability = "serve"; $0.option = "sagemaker_realtime_endpoint"
      }
    ]
    #expect(!GateDecision.decide(picked).passes)
  }

  @Test func aFirstVersionAndTheDefaultRuleAlwaysWait() {
    var first = Self.revision(from: 0, to: 1000)
    first.version = 1
    first.cost.delta = .init()
    first.clearPreviousPolicy()
    let decision = GateDecision.decide(first)
    #expect(!decision.passes && decision.deltaText == "no previous version")
    #expect(!GateDecision.decide(Self.revision(from: 1000, to: 1000, mode: GateDecision.alwaysMode)).passes)
    #expect(!GateDecision.decide(Self.revision(from: 1000, to: 1000, mode: "")).passes, "no rule set: wait")
  }
}
