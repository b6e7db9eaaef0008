import Contracts
import Foundation

/// `reports/policy.json`: the report in the shape `policy-report.schema.json` documents,
/// with stable key order so the same report gives the same bytes.
public enum PolicyReportExport {
  public static let schemaVersion = 1

  public static func json(_ report: Mlops_V1_PolicyReport) throws -> Data {
    let object: [String: Any] = [
      "schema_version": schemaVersion,
      "overall": outcome(report.overall),
      "summary": report.summary,
      "packs": report.packs,
      "results": report.results.map { result in
        [
          "rule_id": result.ruleID, "description": result.description_p, "severity": severity(result.severity),
          "outcome": outcome(result.outcome), "message": result.message, "evidence": result.evidence, "remedy": result.remedy,
        ] as [String: Any]
      },
    ]
    return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
  }

  /// The schema, shipped with the service.
  public static func schema() throws -> Data {
    guard let url = Bundle.module.url(forResource: "policy-report.schema", withExtension: "json") else {
      throw CocoaError(.fileNoSuchFile)
    }
    return try Data(contentsOf: url)
  }

  /// An outcome as reports/policy.json spells it.
  public static func outcome(_ outcome: Mlops_V1_RuleOutcome) -> String {
    switch outcome {
    case .pass: "pass"
    case .warn: "warn"
    case .fail: "fail"
    default: "not_applicable"
    }
  }

  static func severity(_ severity: Mlops_V1_Severity) -> String {
    switch severity {
    case .critical: "critical"
    case .warning: "warning"
    default: "info"
    }
  }
}
