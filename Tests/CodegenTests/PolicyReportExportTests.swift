import Codegen
import Contracts
import Foundation
import InProcessPipeline
import Testing

/// reports/policy.json against its documented schema: every required key, no other key, and
/// every enumerated value one the schema lists.
@Suite struct PolicyReportExportTests {
  @Test func theExportFollowsTheDocumentedSchema() async throws {
    let schema = try #require(try JSONSerialization.jsonObject(with: PolicyReportExport.schema()) as? [String: Any])
    for brief in ["Fraud scoring at checkout, p95 under 20 ms, under $100 a month, PII, EU only.", "Churn prediction."] {
      let report = try await ReviewedPlan.make(brief: brief).policy
      let exported = try #require(try JSONSerialization.jsonObject(with: PolicyReportExport.json(report)) as? [String: Any])
      try Self.check(exported, against: schema, at: "$")
      #expect(try PolicyReportExport.json(report) == PolicyReportExport.json(report), "same report, same bytes")
    }
  }

  /// The subset of JSON Schema the document uses: type, required, additionalProperties,
  /// properties, items, enum and const.
  static func check(_ value: Any, against schema: [String: Any], at path: String) throws {
    if let options = schema["enum"] as? [String] {
      #expect(options.contains(value as? String ?? ""), "\(path): \(value) is not one of \(options)")
    }
    if let constant = schema["const"] as? Int { #expect(value as? Int == constant, "\(path)") }
    switch schema["type"] as? String {
    case "object":
      let object = try #require(value as? [String: Any], "\(path) is not an object")
      let properties = schema["properties"] as? [String: [String: Any]] ?? [:]
      for key in schema["required"] as? [String] ?? [] { #expect(object[key] != nil, "\(path).\(key) is missing") }
      if schema["additionalProperties"] as? Bool == false {
        #expect(Set(object.keys).isSubset(of: Set(properties.keys)), "\(path) has keys the schema does not name")
      }
      for (key, child) in object { if let sub = properties[key] { try check(child, against: sub, at: "\(path).\(key)") } }
    case "array":
      let items = try #require(value as? [Any], "\(path) is not an array")
      if let itemSchema = schema["items"] as? [String: Any] {
        for (index, item) in items.enumerated() { try check(item, against: itemSchema, at: "\(path)[\(index)]") }
      }
    case "string":
      #expect(value is String, "\(path) is not a string")
    default:
      break
    }
  }
}
