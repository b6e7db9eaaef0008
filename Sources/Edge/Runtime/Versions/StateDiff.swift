import Contracts
import Foundation
import ServiceKit
import SwiftProtobuf

/// What changed between two versions' final states, field by field (JSON paths over
/// `DecisionState`), leaving out what always differs: ids, version, status, the Reason Cards,
/// the artifact key, the previous estimate and policy report, the submission time, validator
/// durations, and the questions and raw answers (what was answered shows in the constraints).
package enum StateDiff {
  package struct Change: Sendable, Equatable {
    package enum Op: String, Sendable { case add, remove, replace }
    package var path: String
    package var op: Op
    package var before: String?
    package var after: String?

    package init(path: String, op: Op, before: String?, after: String?) {
      self.path = path
      self.op = op
      self.before = before
      self.after = after
    }
  }

  static let ignoredFields: Set<String> = [
    "decision_set_id", "project_id", "version", "current_node", "status", "reason_cards", "artifact_key",
    "previous_cost", "project_name", "question_rounds", "answers", "open_questions", "previous_policy", "submitted_at",
  ]
  /// `signature` is Codegen's HMAC over the manifest: it changes with the key, not the content.
  static let ignoredKeys: Set<String> = ["duration_ms", "signature"]

  package static func changes(from old: Mlops_V1_DecisionState, to new: Mlops_V1_DecisionState) throws -> [Change] {
    let before = try flatten(old)
    let after = try flatten(new)
    var changes: [Change] = []
    for path in Set(before.keys).union(after.keys).sorted() {
      switch (before[path], after[path]) {
      case (nil, let value?): changes.append(Change(path: path, op: .add, before: nil, after: value))
      case (let value?, nil): changes.append(Change(path: path, op: .remove, before: value, after: nil))
      case (let a?, let b?) where a != b: changes.append(Change(path: path, op: .replace, before: a, after: b))
      default: break
      }
    }
    return changes
  }

  static func flatten(_ state: Mlops_V1_DecisionState) throws -> [String: String] {
    let object = try ProtoJSON.object(state, options: ProtoJSON.documentEncoding)
    var flat: [String: String] = [:]
    guard let root = object as? [String: Any] else { return flat }
    for (key, value) in root where !ignoredFields.contains(key) { walk(value, path: key, into: &flat) }
    return flat
  }

  static func walk(_ value: Any, path: String, into flat: inout [String: String]) {
    switch value {
    case let object as [String: Any]:
      for (key, child) in object where !ignoredKeys.contains(key) { walk(child, path: "\(path).\(key)", into: &flat) }
    case let array as [Any]:
      for (index, child) in array.enumerated() { walk(child, path: "\(path)[\(index)]", into: &flat) }
    default:
      flat[path] = scalar(value)
    }
  }

  /// A leaf as JSON writes it (strings without their quotes), the same on every platform.
  static func scalar(_ value: Any) -> String {
    if let text = value as? String { return text }
    let data = (try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed])) ?? Data()
    return String(decoding: data, as: UTF8.self)
  }
}
