import Contracts
import Foundation

/// Reviewers' waivers over a report: a rule's warn or fail becomes `waived`, with the waiver
/// and the outcome it replaced, while the evaluation instant is before the waiver's expiry.
/// A pass, a not-applicable result or an expired waiver is left as it is; a waived result is
/// never a pass, and the overall outcome no longer counts it.
enum WaiverApplication {
  static func apply(
    _ waivers: [Mlops_V1_PolicyWaiver], to results: inout [Mlops_V1_RuleResult], at instant: Date?
  ) {
    guard let instant else { return }
    for index in results.indices {
      let result = results[index]
      guard result.outcome == .warn || result.outcome == .fail,
        let waiver = waivers.filter({ $0.ruleID == result.ruleID && isActive($0, at: instant) })
          .max(by: { $0.expiresAt < $1.expiresAt })
      else { continue }
      results[index].waivedOutcome = result.outcome
      results[index].outcome = .waived
      results[index].waiver = waiver
    }
  }

  static func isActive(_ waiver: Mlops_V1_PolicyWaiver, at instant: Date) -> Bool {
    guard let expires = RFC3339.date(waiver.expiresAt) else { return false }
    return instant < expires
  }
}
