import Contracts
import Foundation
import ServiceKit
import SwiftProtobuf

/// A person's correction of a waiting run's constraints: fields set or changed (typed and
/// checked as an override is) and fields cleared, each marked as an override, with a line per
/// field saying what it was and what it is now.
package struct ConstraintCorrection: Sendable {
  /// The Constraints fields a person may set or clear (review notes come from the review).
  package static let editableFields = [
    "problem_type", "inference_mode", "latency_p95_ms", "throughput_rps", "monthly_budget", "allowed_regions",
    "data_class", "compliance", "data_volume_gb", "data_rows", "retrain_cadence", "availability_target_pct",
    "gpu_required", "stack_preferences",
  ]
  /// The prefix of each enum field's proto names (a list of them for `compliance`).
  package static let enumPrefixes = [
    "problem_type": "PROBLEM_TYPE_", "inference_mode": "INFERENCE_MODE_", "data_class": "DATA_CLASS_",
    "retrain_cadence": "RETRAIN_CADENCE_", "compliance": "COMPLIANCE_REGIME_",
  ]

  package var set: Mlops_V1_Constraints
  package var clear: [String]

  package init(set: Mlops_V1_Constraints, clear: [String]) {
    self.set = set
    self.clear = clear
  }

  package struct Applied: Sendable {
    package var constraints: Mlops_V1_Constraints
    package var changes: [String]
    package var fields: [String]
  }

  /// `constraints` with the correction applied; fields it sets to what they already were are
  /// no change and are left out of `changes`.
  package func applied(to constraints: Mlops_V1_Constraints) throws -> Applied {
    var current = try Self.fields(of: constraints)
    let given = try Self.fields(of: set)
    var changes: [String] = []
    var touched: [String] = []
    for field in Self.editableFields {
      if clear.contains(field), let before = current[field] {
        changes.append("\(field): \(Self.text(before)) → (cleared)")
        touched.append(field)
        current[field] = nil
      }
      guard case .object(var value)? = given[field] else { continue }
      value["provenance"] = .object(["kind": .string("SOURCE_KIND_OVERRIDE"), "confidence": .number(1)])
      let before = current[field].map(Self.text) ?? "(unset)"
      let after = Self.text(.object(value))
      if before != after || Self.kind(current[field]) != "SOURCE_KIND_OVERRIDE" {
        changes.append("\(field): \(before) → \(after)")
        touched.append(field)
      }
      current[field] = .object(value)
    }
    let data = try JSONEncoder().encode(JSONValue.object(current))
    return Applied(constraints: try Mlops_V1_Constraints(jsonUTF8Data: data), changes: changes, fields: touched)
  }

  private static func fields(of constraints: Mlops_V1_Constraints) throws -> [String: JSONValue] {
    var options = JSONEncodingOptions()
    options.preserveProtoFieldNames = true
    guard
      case .object(let fields) = try JSONDecoder().decode(JSONValue.self, from: try constraints.jsonUTF8Data(options: options))
    else { return [:] }
    return fields
  }

  private static func kind(_ value: JSONValue?) -> String {
    guard case .object(let object)? = value, case .object(let provenance)? = object["provenance"],
      case .string(let kind)? = provenance["kind"]
    else { return "" }
    return kind
  }

  /// A field's value without its provenance, as a person reads it.
  static func text(_ value: JSONValue) -> String {
    guard case .object(var object) = value else { return scalar(value) }
    object["provenance"] = nil
    if case .array(let values)? = object["values"] { return values.map(scalar).joined(separator: ", ") }
    if let single = object["value"] {
      if case .string(let unit)? = object["unit"] { return "\(scalar(single)) \(unit)" }
      return scalar(single)
    }
    if let low = object["min_usd"], let high = object["max_usd"] { return "$\(scalar(low))–\(scalar(high)) a month" }
    if let high = object["max_usd"] { return "up to $\(scalar(high)) a month" }
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    return String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self)
  }

  private static func scalar(_ value: JSONValue) -> String {
    switch value {
    case .number(let number):
      return number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
    case .bool(let flag): return flag ? "yes" : "no"
    case .string(let text):
      // Enum names as people say them: INFERENCE_MODE_ONLINE → online.
      if let prefix = enumPrefixes.values.first(where: text.hasPrefix) {
        return String(text.dropFirst(prefix.count)).lowercased()
      }
      return text
    case .array(let values): return values.map(scalar).joined(separator: ", ")
    case .null: return "null"
    case .object: return text(value)
    }
  }
}
