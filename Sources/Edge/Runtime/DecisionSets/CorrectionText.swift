import Foundation

/// A correction of the constraints from what a person types, `FIELD=VALUE` (an empty value
/// clears the field), into the body of `PATCH /v1/decision-sets/{id}/constraints`. The server
/// checks each value as it checks an override; this only gives it the field's JSON shape.
package enum CorrectionText {
  package struct Invalid: Error, CustomStringConvertible {
    package var description: String
  }

  static let numbers: [String: String] = [
    "latency_p95_ms": "ms", "throughput_rps": "requests/s", "data_volume_gb": "GB", "data_rows": "rows",
    "availability_target_pct": "%",
  ]
  package static var fields: [String] { ConstraintCorrection.editableFields }

  /// The request body for `pairs` (`FIELD=VALUE` each).
  package static func body(_ pairs: [String], comment: String? = nil) throws -> [String: Any] {
    var set: [String: Any] = [:]
    var clear: [String] = []
    for pair in pairs {
      guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
        throw Invalid(description: "\(pair.debugDescription) is not FIELD=VALUE")
      }
      let field = String(pair[..<equals]).trimmingCharacters(in: .whitespaces)
      let text = String(pair[pair.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
      guard fields.contains(field) else {
        throw Invalid(description: "\(field.debugDescription) is not a constraint; one of \(fields.joined(separator: ", "))")
      }
      if text.isEmpty {
        clear.append(field)
      } else {
        set[field] = try value(text, for: field)
      }
    }
    var body: [String: Any] = ["set": set, "clear": clear]
    if let comment, !comment.isEmpty { body["comment"] = comment }
    return body
  }

  private static func value(_ text: String, for field: String) throws -> [String: Any] {
    func number() throws -> Double {
      let digits = text.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "_", with: "")
      guard let value = Double(digits), value.isFinite else {
        throw Invalid(description: "\(field): \(text.debugDescription) is not a number")
      }
      return value
    }
    func list() -> [String] { text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    if let unit = numbers[field] { return ["value": try number(), "unit": unit] }
    if field != "compliance", let prefix = ConstraintCorrection.enumPrefixes[field] {
      return [
        "value": prefix + text.uppercased().replacingOccurrences(of: "-", with: "_").replacingOccurrences(of: " ", with: "_")
      ]
    }
    switch field {
    case "gpu_required":
      switch text.lowercased() {
      case "y", "yes", "true": return ["value": true]
      case "n", "no", "false": return ["value": false]
      default: throw Invalid(description: "gpu_required: answer yes or no")
      }
    case "compliance":
      let prefix = ConstraintCorrection.enumPrefixes[field] ?? ""
      return ["values": list().map { prefix + $0.uppercased().replacingOccurrences(of: " ", with: "_") }]
    case "monthly_budget":
      let most = try number()
      return ["max": most, "max_usd": most, "currency": "USD"]
    default:
      return ["values": list()]
    }
  }
}
