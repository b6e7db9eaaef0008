import Contracts
import Foundation
import ServiceKit
import SwiftProtobuf

/// `reports/cost.json`: the estimate in its protobuf JSON form (field names as in the proto),
/// with sorted keys so the same estimate gives the same bytes.
enum CostReportExport {
  static let schemaVersion = 1

  static func json(_ estimate: Mlops_V1_CostEstimate) throws -> Data {
    var object = try ProtoJSON.object(estimate, options: ProtoJSON.documentEncoding) as? [String: Any] ?? [:]
    object["schema_version"] = schemaVersion
    return try SortedJSON.document(object)
  }
}
