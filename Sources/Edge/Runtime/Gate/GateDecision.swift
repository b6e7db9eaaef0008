import Contracts
import Foundation

/// Whether a version may pass the human gate by itself under the project's gate rule.
///
/// Mode `always` (the default, and any rule not set): every version waits for a reviewer.
/// Mode `within_thresholds`: a revision passes by itself when its policy does not fail, it
/// has no warning (or waived rule) the previous version did not have, and its monthly cost
/// moved by at most both `max_delta_usd` and `max_delta_percent` in either direction. A
/// first version always waits: there is nothing to compare it with.
package struct GateDecision: Sendable, Equatable {
  package var passes: Bool
  /// The rule as it applied, e.g. "within_thresholds (|Δ| ≤ $50.00 and ≤ 5.0%)".
  package var rule: String
  /// Why it passed or what made it wait, one clause per condition that decided.
  package var reasons: [String]
  package var deltaUSD: Double
  package var deltaPercent: Double?
  /// Whether there was a previous version's estimate to take the delta against.
  package var hasPrevious: Bool

  package static let alwaysMode = "always"
  package static let thresholdsMode = "within_thresholds"

  package static func decide(_ state: Mlops_V1_DecisionState) -> GateDecision {
    let rule = state.gateRule
    let delta = state.cost.delta
    let deltaUSD = delta.hasPrevious_p ? delta.deltaUsd : 0
    let percent: Double? =
      delta.hasPrevious_p && delta.previousMonthlyUsd > 0 ? deltaUSD / delta.previousMonthlyUsd * 100 : nil
    guard rule.mode == thresholdsMode else {
      return GateDecision(
        passes: false, rule: alwaysMode, reasons: ["the project's gate rule sends every version to a reviewer"],
        deltaUSD: deltaUSD, deltaPercent: percent, hasPrevious: delta.hasPrevious_p)
    }
    let named = String(
      format: "%@ (|Δ| ≤ $%.2f and ≤ %.1f%%)", thresholdsMode, rule.maxDeltaUsd, rule.maxDeltaPercent)
    var waits: [String] = []
    // A person who corrected the constraints or picked a candidate at this gate is reviewing
    // this version: its next plan is theirs to approve, not the rule's.
    if !state.constraintEdits.isEmpty || !state.candidateChoices.isEmpty {
      waits.append("a person corrected version \(state.version) before approval, so a reviewer decides")
    }
    if !delta.hasPrevious_p || !state.hasPreviousPolicy {
      waits.append("version \(state.version) has no previous version to compare with")
    } else {
      if state.policy.overall == .fail { waits.append("policy fails") }
      let before = Set(state.previousPolicy.results.filter { [.warn, .waived].contains($0.outcome) }.map(\.ruleID))
      let new = state.policy.results.filter { [.warn, .waived].contains($0.outcome) && !before.contains($0.ruleID) }
        .map(\.ruleID)
      if !new.isEmpty { waits.append("new warnings: \(new.joined(separator: ", "))") }
      if abs(deltaUSD) > rule.maxDeltaUsd {
        waits.append(String(format: "the cost moved $%.2f, more than $%.2f", deltaUSD, rule.maxDeltaUsd))
      }
      if let percent, abs(percent) > rule.maxDeltaPercent {
        waits.append(String(format: "the cost moved %.1f%%, more than %.1f%%", percent, rule.maxDeltaPercent))
      } else if percent == nil, deltaUSD != 0 {
        waits.append("the cost moved from $0.00, so no relative change can be within a threshold")
      }
    }
    if waits.isEmpty {
      return GateDecision(
        passes: true, rule: named,
        reasons: [
          "policy does not fail", "no new warnings",
          String(format: "the cost moved $%.2f (%.1f%%), within both thresholds", deltaUSD, percent ?? 0),
        ], deltaUSD: deltaUSD, deltaPercent: percent, hasPrevious: delta.hasPrevious_p)
    }
    return GateDecision(
      passes: false, rule: named, reasons: waits, deltaUSD: deltaUSD, deltaPercent: percent, hasPrevious: delta.hasPrevious_p)
  }

  /// "Δcost +$12.00 (+3.0%)", or "no previous version" for a first version.
  package var deltaText: String {
    guard hasPrevious else { return "no previous version" }
    guard let deltaPercent else { return String(format: "Δcost %@$%.2f", deltaUSD < 0 ? "-" : "+", abs(deltaUSD)) }
    return String(format: "Δcost %@$%.2f (%+.1f%%)", deltaUSD < 0 ? "-" : "+", abs(deltaUSD), deltaPercent)
  }
}
