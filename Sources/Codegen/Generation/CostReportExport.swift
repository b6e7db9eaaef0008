import Contracts
import Foundation
import SwiftProtobuf

/// `reports/cost.json`: the estimate in its protobuf JSON form (field names as in the proto),
/// with sorted keys so the same estimate gives the same bytes.
enum CostReportExport {
  static let schemaVersion = 1

  static func json(_ estimate: Mlops_V1_CostEstimate) throws -> Data {
    var options = JSONEncodingOptions()
    options.preserveProtoFieldNames = true
    options.alwaysPrintInt64sAsNumbers = true
    var object = try JSONSerialization.jsonObject(with: Data(estimate.jsonString(options: options).utf8)) as? [String: Any] ?? [:]
    object["schema_version"] = schemaVersion
    return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
  }
}
