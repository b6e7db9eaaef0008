import Contracts
import Foundation
import SwiftProtobuf

/// Constraints flattened to comparable field values, for scoring extraction against the
/// hand-written expectations in `Fixtures/briefs.json`.
enum ConstraintFields {
  enum Value: Equatable, CustomStringConvertible {
    case text(String)
    case number(Double)
    case list([String])
    case band(min: Double, max: Double, currency: String)

    static func == (left: Value, right: Value) -> Bool {
      switch (left, right) {
      case (.text(let a), .text(let b)): a == b
      case (.number(let a), .number(let b)): close(a, b)
      case (.list(let a), .list(let b)): Set(a) == Set(b)
      case (.band(let a1, let a2, let ac), .band(let b1, let b2, let bc)): close(a1, b1) && close(a2, b2) && ac == bc
      default: false
      }
    }

    static func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= max(0.01 * max(abs(a), abs(b)), 0.001) }

    var description: String {
      switch self {
      case .text(let text): text
      case .number(let number): String(number)
      case .list(let items): items.joined(separator: ",")
      case .band(let min, let max, let currency): "\(min)-\(max) \(currency)"
      }
    }
  }

  /// Through the message's JSON form, where enums are their proto names; a field whose
  /// confidence is below `minimumConfidence` is left out.
  static func flatten(_ constraints: Mlops_V1_Constraints, minimumConfidence: Double = 0) -> [String: Value] {
    var options = JSONEncodingOptions()
    options.preserveProtoFieldNames = true
    guard let data = try? constraints.jsonUTF8Data(options: options),
      let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    else { return [:] }
    func name(_ field: String, _ prefix: String) -> String? {
      ((json[field] as? [String: Any])?["value"] as? String)?.replacingOccurrences(of: prefix, with: "").lowercased()
    }
    func number(_ field: String) -> Double? { ((json[field] as? [String: Any])?["value"] as? NSNumber)?.doubleValue }
    var fields: [String: Value] = [:]
    if let value = name("problem_type", "PROBLEM_TYPE_") { fields["problem_type"] = .text(value) }
    if let value = name("inference_mode", "INFERENCE_MODE_") { fields["inference_mode"] = .text(value) }
    if let value = name("data_class", "DATA_CLASS_") { fields["data_class"] = .text(value) }
    if let value = name("retrain_cadence", "RETRAIN_CADENCE_") { fields["retrain_cadence"] = .text(value) }
    for field in ["latency_p95_ms", "throughput_rps", "data_volume_gb", "data_rows", "availability_target_pct"] {
      if let value = number(field) { fields[field] = .number(value) }
    }
    if constraints.hasMonthlyBudget {
      let band = constraints.monthlyBudget
      fields["monthly_budget"] = .band(min: band.min, max: band.max, currency: band.currency)
    }
    if constraints.hasAllowedRegions { fields["allowed_regions"] = .list(constraints.allowedRegions.values) }
    if let values = (json["compliance"] as? [String: Any])?["values"] as? [String] {
      fields["compliance"] = .list(values.map { $0.replacingOccurrences(of: "COMPLIANCE_REGIME_", with: "").lowercased() })
    }
    if constraints.hasGpuRequired { fields["gpu_required"] = .text(constraints.gpuRequired.value ? "true" : "false") }
    if constraints.hasStackPreferences { fields["stack_preferences"] = .list(constraints.stackPreferences.values) }
    return fields.filter { field, _ in
      let confidence = ((json[field] as? [String: Any])?["provenance"] as? [String: Any])?["confidence"] as? NSNumber
      return (confidence?.doubleValue ?? 0) >= minimumConfidence
    }
  }

  static func expected(_ json: [String: Any]) -> [String: Value] {
    var fields: [String: Value] = [:]
    for (key, raw) in json {
      switch raw {
      case let flag as Bool where key == "gpu_required": fields[key] = .text(flag ? "true" : "false")
      case let text as String: fields[key] = .text(text)
      case let number as NSNumber: fields[key] = .number(number.doubleValue)
      case let list as [String]: fields[key] = .list(list)
      case let band as [String: Any]:
        fields[key] = .band(
          min: (band["min"] as? NSNumber)?.doubleValue ?? 0, max: (band["max"] as? NSNumber)?.doubleValue ?? 0,
          currency: band["currency"] as? String ?? "USD")
      default: break
      }
    }
    return fields
  }
}
