import Contracts

/// A policy report's one-line summary, from its rule outcomes: the Policy engine writes it,
/// and Codegen rewrites it when the generated code changes an outcome.
public enum PolicySummary {
  /// "12 rules, 9 passed, 2 warnings, 1 failure, 0 not applicable", and ", 1 waived" when
  /// a reviewer waived any.
  public static func text(_ outcomes: [Mlops_V1_RuleOutcome]) -> String {
    func count(_ outcome: Mlops_V1_RuleOutcome) -> Int { outcomes.filter { $0 == outcome }.count }
    func plural(_ n: Int, _ one: String, _ many: String) -> String { "\(n) \(n == 1 ? one : many)" }
    let waived = count(.waived)
    return
      ([
        plural(outcomes.count, "rule", "rules"), "\(count(.pass)) passed", plural(count(.warn), "warning", "warnings"),
        plural(count(.fail), "failure", "failures"), "\(count(.notApplicable)) not applicable",
      ] + (waived > 0 ? ["\(waived) waived"] : [])).joined(separator: ", ")
  }

  /// "waived by Ada until 2027-01-01T00:00:00Z (was fail): accepted for the pilot"
  public static func waiverText(_ result: Mlops_V1_RuleResult) -> String {
    let waiver = result.waiver
    return "waived by \(waiver.waivedBy) until \(waiver.expiresAt) (was \(ProtoNames.outcome(result.waivedOutcome))): "
      + waiver.reason
  }
}
