import Contracts
import Foundation
import ServiceKit
import SwiftProtobuf

/// Typed answers from what a person types: the API wants a number for a number question,
/// true/false for a yes/no one, an option's value for a choice and a list for a multi-choice.
enum AnswerText {
  struct Invalid: Error, CustomStringConvertible {
    var description: String
  }

  /// The JSON value to send for `text` as an answer to `question`.
  static func value(_ text: String, for question: Mlops_V1_Question) throws -> Any {
    let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !text.isEmpty else { throw Invalid(description: "an answer is needed") }
    switch question.type {
    case .number:
      let digits = text.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "_", with: "")
      guard let number = Double(digits), number.isFinite else {
        throw Invalid(description: "\(text.debugDescription) is not a number")
      }
      return number
    case .boolean:
      switch text.lowercased() {
      case "y", "yes", "true", "1": return true
      case "n", "no", "false", "0": return false
      default: throw Invalid(description: "answer yes or no")
      }
    case .choice:
      return try option(text, of: question)
    case .multiChoice:
      return try text.split(separator: ",").map { try option(String($0).trimmingCharacters(in: .whitespaces), of: question) }
    default:
      return text
    }
  }

  /// An option named by its value, its label or its number in the list (from 1).
  private static func option(_ text: String, of question: Mlops_V1_Question) throws -> String {
    guard !question.options.isEmpty else { return text }
    if let index = Int(text), question.options.indices.contains(index - 1) { return question.options[index - 1].value }
    if let match = question.options.first(where: {
      $0.value.caseInsensitiveCompare(text) == .orderedSame || $0.label.caseInsensitiveCompare(text) == .orderedSame
    }) {
      return match.value
    }
    throw Invalid(description: "choose one of \(question.options.map(\.value).joined(separator: ", "))")
  }

  /// The open questions in a decision set's JSON.
  static func openQuestions(in decisionSet: [String: Any]) throws -> [Mlops_V1_Question] {
    try (decisionSet["open_questions"] as? [Any] ?? []).map {
      try Mlops_V1_Question(jsonUTF8Data: try JSONSerialization.data(withJSONObject: $0), options: ProtoJSON.lenientDecoding)
    }
  }

  /// `question_id=value` pairs from the command line.
  static func pairs(_ arguments: [String]) throws -> [(id: String, text: String)] {
    try arguments.map { argument in
      guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else {
        throw Invalid(description: "\(argument.debugDescription) is not question_id=value")
      }
      return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }
  }
}
