import Contracts
import Domain
import Foundation
import ServiceKit

/// `reports/policy.json`: the report in the shape `policy-report.schema.json` documents,
/// with stable key order so the same report gives the same bytes.
public enum PolicyReportExport {
  public static let schemaVersion = 1

  /// `resources`: rule id → the Terraform addresses that implement the rule's control, as
  /// read from the generated code (see `PolicyEvidence`).
  public static func json(_ report: Mlops_V1_PolicyReport, resources: [String: [String]] = [:]) throws -> Data {
    let object: [String: Any] = [
      "schema_version": schemaVersion,
      "overall": ProtoNames.outcome(report.overall),
      "summary": report.summary,
      "packs": report.packs,
      "results": report.results.map { result in
        var fields: [String: Any] = [
          "rule_id": result.ruleID, "description": result.description_p, "severity": ProtoNames.severity(result.severity),
          "outcome": ProtoNames.outcome(result.outcome), "message": result.message, "evidence": result.evidence,
          "remedy": result.remedy, "resources": resources[result.ruleID] ?? [],
        ]
        if result.outcome == .waived {
          fields["waiver"] = [
            "id": result.waiver.id, "reason": result.waiver.reason, "waived_by": result.waiver.waivedBy,
            "waived_at": result.waiver.waivedAt, "expires_at": result.waiver.expiresAt,
            "waived_outcome": ProtoNames.outcome(result.waivedOutcome),
          ]
        }
        return fields
      },
    ]
    return try SortedJSON.document(object, escapingSlashes: true)
  }

  /// The schema, shipped with Codegen.
  public static func schema() throws -> Data {
    guard let url = Bundle.module.url(forResource: "policy-report.schema", withExtension: "json") else {
      throw CocoaError(.fileNoSuchFile)
    }
    return try Data(contentsOf: url)
  }
}
