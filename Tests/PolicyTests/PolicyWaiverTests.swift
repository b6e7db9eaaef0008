import Contracts
import Foundation
import Testing

@testable import Policy

/// A reviewer's waiver turns a rule's warn or fail into `waived` (never a pass) while the
/// evaluation instant is before its expiry; the overall outcome no longer counts it, and the
/// report and the Reason Card say who waived it, why and until when.
@Suite struct PolicyWaiverTests {
  static let waiver = Mlops_V1_PolicyWaiver.with {
    $0.id = "w-1"
    $0.ruleID = "budget.band"
    $0.reason = "finance accepts the pilot's overrun"
    $0.waivedBy = "Ada (ada)"
    $0.waivedAt = "2026-12-01T00:00:00Z"
    $0.expiresAt = "2026-12-31T00:00:00Z"
  }

  /// A plan over its budget (budget.band fails), evaluated at `instant` with `waivers`.
  static func request(at instant: String, waivers: [Mlops_V1_PolicyWaiver] = [waiver]) -> Mlops_V1_EvaluatePolicyRequest {
    .with {
      $0.plan = PolicyRuleTests.soundPlan
      $0.constraints.inferenceMode.value = .online
      $0.constraints.monthlyBudget.maxUsd = 1000
      $0.cost = PolicyRuleTests.cost(1500)
      $0.technicalReview = .init()
      $0.waivers = waivers
      $0.evaluatedAt = instant
    }
  }

  @Test func aWaivedFailShowsAsWaivedWithItsWaiverAndNoLongerBlocks() throws {
    let report = PolicyEngine().evaluate(Self.request(at: "2026-12-15T12:00:00Z"))
    let result = try #require(report.results.first { $0.ruleID == "budget.band" })
    #expect(result.outcome == .waived)
    #expect(result.waivedOutcome == .fail)
    #expect(result.waiver == Self.waiver)
    #expect(report.overall == .pass)
    #expect(report.summary.hasSuffix(", 1 waived"), "\(report.summary)")
  }

  @Test func anExpiredWaiverStopsApplyingByItself() throws {
    for instant in ["2026-12-31T00:00:00Z", "2027-01-05T00:00:00Z"] {
      let report = PolicyEngine().evaluate(Self.request(at: instant))
      #expect(report.results.first { $0.ruleID == "budget.band" }?.outcome == .fail, "\(instant)")
      #expect(report.overall == .fail)
      #expect(!report.results.contains { $0.hasWaiver })
    }
  }

  @Test func aWaiverNeverTouchesAPassOrAnotherRule() throws {
    var request = Self.request(at: "2026-12-15T12:00:00Z")
    request.cost = PolicyRuleTests.cost(500)
    let passing = PolicyEngine().evaluate(request)
    #expect(passing.results.first { $0.ruleID == "budget.band" }?.outcome == .pass)
    #expect(!passing.results.contains { $0.outcome == .waived })

    var other = Self.waiver
    other.ruleID = "latency.slo"
    let unrelated = PolicyEngine().evaluate(Self.request(at: "2026-12-15T12:00:00Z", waivers: [other]))
    #expect(unrelated.results.first { $0.ruleID == "budget.band" }?.outcome == .fail)
  }

  @Test func theReasonCardNamesWhoWaivedWhyAndUntilWhen() {
    let rationale = PolicyService.rationale(PolicyEngine().evaluate(Self.request(at: "2026-12-15T12:00:00Z")))
    #expect(
      rationale.contains(
        "Waived: budget.band waived by Ada (ada) until 2026-12-31T00:00:00Z (was fail): finance accepts the pilot's overrun"),
      "\(rationale)")
    #expect(rationale.hasPrefix("No rule failed."))
  }

  @Test func waiversAreCheckedWhereTheyEnter() {
    var request = Self.request(at: "not a time")
    #expect(request.violations().contains { $0.field == "evaluated_at" })
    request = Self.request(at: "2026-12-15T12:00:00Z")
    request.waivers[0].expiresAt = "soon"
    #expect(request.violations().contains { $0.field == "waivers[0].expires_at" })
    request.waivers = Array(repeating: Self.waiver, count: InputLimits.policyWaivers + 1)
    #expect(request.violations().contains { $0.field == "waivers" })
    #expect(Self.request(at: "").waivers.count == 1 && !Self.request(at: "").violations().isEmpty)
    #expect(Self.request(at: "", waivers: []).violations().isEmpty, "no waivers: no instant needed")
  }
}
