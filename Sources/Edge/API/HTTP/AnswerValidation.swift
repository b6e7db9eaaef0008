import Contracts
import EdgeRuntime
import ServiceKit

/// Checks answers against the questions the run asked: each must reply to an open question
/// with a value of that question's type.
enum AnswerValidation {
  static func validate(_ answers: [JSONValue], against questions: [Mlops_V1_Question]) throws(Problem) -> [Mlops_V1_Answer] {
    guard !answers.isEmpty else { throw Problem.invalidField("answers", "send at least one answer") }
    guard answers.count <= InputLimits.answers else {
      throw Problem.invalidField("answers", "send at most \(InputLimits.answers) answers")
    }
    let byID = Dictionary(questions.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    var result: [Mlops_V1_Answer] = []
    for (index, item) in answers.enumerated() {
      let field = "answers[\(index)]"
      guard case .object(let object) = item else { throw Problem.invalidField(field, "\(field) must be an object") }
      guard case .string(let questionID)? = object["question_id"] else {
        throw Problem.invalidField("\(field).question_id", "\(field).question_id must be a string")
      }
      guard let question = byID[questionID] else {
        throw Problem(
          status: .unprocessableContent, code: "unknown_question", title: "Unknown question",
          detail:
            "no open question has the id \(questionID.debugDescription); open: \(questions.map(\.id).joined(separator: ", "))",
          field: "\(field).question_id")
      }
      let value = object["value"] ?? .null
      var answer = Mlops_V1_Answer()
      answer.questionID = questionID
      func wrongType(_ expected: String) -> Problem {
        Problem(
          status: .unprocessableContent, code: "invalid_answer", title: "Invalid answer",
          detail: "question \(questionID) expects \(expected), not \(value.typeName)", field: "\(field).value")
      }
      let options = Set(question.options.map(\.value))
      let range = InputLimits.range(forField: question.field)
      func outOfRange(_ number: Double) -> Problem? {
        guard let range, !range.contains(number) else { return nil }
        return Problem(
          status: .unprocessableContent, code: "out_of_range", title: "Value out of range",
          detail: "question \(questionID) expects \(range.text), not \(number)", field: "\(field).value")
      }
      if case .string(let text) = value, let problem = InputLimits.textProblem(text, maxCharacters: InputLimits.answerCharacters)
      {
        throw Problem.invalidField("\(field).value", "the answer \(problem)")
      }
      switch (question.type, value) {
      case (.number, .number(let number)):
        if let problem = outOfRange(number) { throw problem }
        answer.value = number == number.rounded() && abs(number) < 1e15 ? String(Int(saturating: number)) : String(number)
      case (.number, .string(let text)) where Double(text.trimmingCharacters(in: .whitespaces))?.isFinite == true:
        if let problem = outOfRange(Double(text.trimmingCharacters(in: .whitespaces))!) { throw problem }
        answer.value = text.trimmingCharacters(in: .whitespaces)
      case (.number, _):
        throw wrongType("a number")
      case (.boolean, .bool(let flag)):
        answer.value = flag ? "true" : "false"
      case (.boolean, _):
        throw wrongType("true or false")
      case (.choice, .string(let text)) where options.isEmpty || options.contains(text):
        answer.value = text
      case (.choice, _):
        throw wrongType("one of \(question.options.map(\.value).joined(separator: ", "))")
      case (.multiChoice, .array(let items)):
        var values: [String] = []
        for item in items {
          guard case .string(let text) = item, options.isEmpty || options.contains(text) else {
            throw wrongType("a list of \(question.options.map(\.value).joined(separator: ", "))")
          }
          values.append(text)
        }
        answer.values = values
      case (.multiChoice, _):
        throw wrongType("a list of options")
      case (_, .string(let text)) where !text.trimmingCharacters(in: .whitespaces).isEmpty:
        answer.value = text.trimmingCharacters(in: .whitespaces)
      default:
        throw wrongType("a non-empty string")
      }
      result.append(answer)
    }
    return result
  }
}
