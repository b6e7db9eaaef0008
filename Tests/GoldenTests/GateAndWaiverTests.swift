import Contracts
import EdgeRuntime
import Foundation
import HummingbirdTesting
import Synchronization
import Testing

/// The project's gate rule and its policy waivers, through the real services: a revision
/// within the rule's thresholds passes the human gate by itself and one beyond them waits,
/// each gate card naming the rule and the cost delta; a waived rule shows as `waived` (never
/// as pass) in the policy card, `reports/policy.json` and `docs/policy.md`, and lapses at
/// its expiry on a clock the test moves.
@Suite(.serialized) struct GateAndWaiverTests {
  static let churn = GoldenRunTests.goldens[0]

  final class TestClock: Sendable {
    private let current: Mutex<Date>
    init(_ start: Date) { current = Mutex(start) }
    func advance(days: Double) { current.withLock { $0.addTimeInterval(days * 86_400) } }
    var now: Date { current.withLock { $0 } }
    var edgeClock: EdgeClock { EdgeClock { [self] in now } }
  }

  static func json(_ object: [String: Any]) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
  }

  @Test func aRevisionWithinTheThresholdsPassesTheGateByItselfAndOneBeyondThemWaits() async throws {
    try await GoldenStack.with { stack in
      let id = try await stack.submit(Self.churn.brief, project: "gate")
      #expect(try await stack.drive(id, answers: Self.churn.answers) == "completed", "v1 waits for and gets a reviewer")
      let project = try #require(try await stack.send(.get, "/v1/decision-sets/\(id)").body["project_id"] as? String)
      let rule = try await stack.send(
        .put, "/v1/projects/\(project)/gate-rule",
        json: #"{"mode": "within_thresholds", "max_delta_usd": 50, "max_delta_percent": 5}"#)
      #expect(rule.status == .ok, "\(rule)")

      // v2 changes nothing the cost depends on: it passes the gate by itself.
      let small = try await stack.send(
        .post, "/v1/decision-sets/\(id)/revisions", json: #"{"brief_addendum": "The analytics team owns the runbook."}"#)
      #expect(small.status == .accepted, "\(small)")
      #expect(try await stack.work(id) == "completed", "no reviewer was asked")
      let passed = try await stack.state(id)
      let gate = try #require(passed.reasonCards.last { $0.node == "gate_hitl" })
      #expect(gate.choice == "pass without a reviewer (within_thresholds (|Δ| ≤ $50.00 and ≤ 5.0%))", "\(gate.choice)")
      #expect(gate.rationale.contains("Δcost +$0.00 (+0.0%)"), "\(gate.rationale)")
      #expect(gate.costSummary.hasSuffix("Δcost +$0.00 (+0.0%)"))
      #expect(passed.approval.status == .approved && passed.approval.passedByRule.hasPrefix("within_thresholds"))
      let codegen = try #require(passed.reasonCards.last { $0.node == "codegen" })
      #expect(codegen.inputs.summary.contains("approved by gate rule within_thresholds"), "\(codegen.inputs.summary)")
      let changes = try await stack.send(.get, "/v1/decision-sets/\(id)/changes?from=1&to=2").body
      let summaryGate = try #require(changes["gate"] as? [String: Any], "\(changes.keys)")
      #expect(summaryGate["passed_by_rule"] as? Bool == true)
      #expect((summaryGate["rule"] as? String)?.hasPrefix("within_thresholds") == true)
      #expect(summaryGate["delta_usd"] as? Double == 0)
      #expect((changes["cost"] as? [String: Any])?["delta_percent"] as? Double == 0)

      // v3 triples the traffic: the cost moves past both thresholds, so it waits, saying why.
      let large = try await stack.send(
        .post, "/v1/decision-sets/\(id)/revisions",
        json:
          #"{"constraint_overrides": {"throughput_rps": {"value": 900, "unit": "requests/s", "provenance": {"kind": "SOURCE_KIND_OVERRIDE", "confidence": 1}}}}"#
      )
      #expect(large.status == .accepted, "\(large)")
      #expect(try await stack.work(id) == "waiting_for_approval")
      let waiting = try await stack.state(id)
      let held = try #require(waiting.reasonCards.last { $0.node == "gate_hitl" })
      #expect(held.choice == "wait for a reviewer")
      let delta = waiting.cost.delta.deltaUsd
      #expect(delta > 50)
      #expect(held.rationale.contains(String(format: "the cost moved $%.2f, more than $50.00", delta)), "\(held.rationale)")
      #expect(held.rationale.contains("more than 5.0%"), "\(held.rationale)")
      #expect(try await stack.drive(id, answers: [:]) == "completed")
      let approved = try await stack.send(.get, "/v1/decision-sets/\(id)/changes?from=2&to=3").body
      #expect((approved["gate"] as? [String: Any])?["passed_by_rule"] as? Bool == false)
    }
  }

  @Test func aWaiverAppliesShowsAsWaivedAndLapsesAtItsExpiry() async throws {
    let clock = TestClock(Date(timeIntervalSince1970: 1_796_000_000))  // 2026-11-29
    try await GoldenStack.with(clock: clock.edgeClock) { stack in
      let brief = Self.churn.brief + " Budget 100 USD per month."
      let id = try await stack.submit(brief, project: "waivers")
      #expect(try await stack.drive(id, answers: Self.churn.answers) == "blocked")
      #expect(try await stack.state(id).policy.results.first { $0.ruleID == "budget.band" }?.outcome == .fail)
      let project = try #require(try await stack.send(.get, "/v1/decision-sets/\(id)").body["project_id"] as? String)

      let expires = clock.now.addingTimeInterval(86_400)
      let created = try await stack.send(
        .post, "/v1/projects/\(project)/waivers",
        json: try Self.json([
          "rule_id": "budget.band", "reason": "Finance accepts the pilot's overrun.",
          "expires_at": expires.formatted(.iso8601),
        ]))
      #expect(created.status == .created, "\(created)")
      #expect(created.body["state"] as? String == "active")

      // v2 is submitted while the waiver is in force: the rule is waived, and the run goes on.
      #expect(try await stack.send(.post, "/v1/decision-sets/\(id)/revisions", json: "{}").status == .accepted)
      #expect(try await stack.drive(id, answers: [:]) == "completed")
      let state = try await stack.state(id)
      let waived = try #require(state.policy.results.first { $0.ruleID == "budget.band" })
      #expect(waived.outcome == .waived && waived.waivedOutcome == .fail)
      #expect(waived.waiver.waivedBy == "Golden Reviewer (\(GoldenStack.reviewer))")
      #expect(waived.waiver.expiresAt == expires.formatted(.iso8601))
      let card = try #require(state.reasonCards.last { $0.node == "policy_eval" })
      #expect(card.rationale.contains("Waived: budget.band waived by Golden Reviewer"), "\(card.rationale)")
      #expect(card.rationale.contains("Finance accepts the pilot's overrun."))

      let report = try #require(
        try JSONSerialization.jsonObject(with: Data(try await stack.bundleFile(id, "reports/policy.json").utf8))
          as? [String: Any])
      let entry = try #require((report["results"] as? [[String: Any]])?.first { $0["rule_id"] as? String == "budget.band" })
      #expect(entry["outcome"] as? String == "waived")
      let waiver = try #require(entry["waiver"] as? [String: Any])
      #expect(
        waiver["waived_outcome"] as? String == "fail" && waiver["reason"] as? String == "Finance accepts the pilot's overrun.")
      let doc = try await stack.bundleFile(id, "docs/policy.md")
      #expect(doc.contains("| budget.band | waived | waived by Golden Reviewer"), "\(doc)")

      // Two days on, the waiver has lapsed by itself: v3 is blocked by the rule again.
      clock.advance(days: 2)
      let listed = try await stack.send(.get, "/v1/projects/\(project)/waivers").body["items"] as? [[String: Any]] ?? []
      #expect(listed.map { $0["state"] as? String } == ["expired"])
      #expect(try await stack.send(.post, "/v1/decision-sets/\(id)/revisions", json: "{}").status == .accepted)
      #expect(try await stack.drive(id, answers: [:]) == "blocked")
      #expect(try await stack.state(id).policy.results.first { $0.ruleID == "budget.band" }?.outcome == .fail)

      let audit = try await stack.send(.get, "/v1/projects/\(project)/audit").body["items"] as? [[String: Any]] ?? []
      #expect(audit.contains { $0["action"] as? String == "policy.waived" && $0["target"] as? String == "budget.band" })
    }
  }
}
