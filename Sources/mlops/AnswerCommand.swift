import ArgumentParser

struct AnswerCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "answer", abstract: "Answer a decision set's open questions: QUESTION_ID=VALUE ...")

  @OptionGroup var options: ServerOptions
  @Argument(help: "The decision set id.") var decisionSet: String
  @Argument(help: "Answers as question_id=value; a multi-choice value is comma-separated.") var answers: [String]

  func validate() throws {
    guard !answers.isEmpty else { throw ValidationError("give at least one answer as question_id=value") }
    do { _ = try AnswerText.pairs(answers) } catch { throw ValidationError("\(error)") }
  }

  func run() async throws {
    try await options.withClient { client in
      let path = "/v1/decision-sets/\(decisionSet)"
      // The value's JSON type follows the question's type, so read the open questions first.
      let current = try await client.send(.GET, path)
      let questions = Dictionary(
        try AnswerText.openQuestions(in: current.fields).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
      let body = try AnswerText.pairs(answers).map { pair -> [String: Any] in
        // An id the run did not ask goes as text, and the API names the open questions.
        let value = try questions[pair.id].map { try AnswerText.value(pair.text, for: $0) } ?? pair.text
        return ["question_id": pair.id, "value": value]
      }
      printJSON(try await client.send(.POST, "\(path)/answers", json: ["answers": body]).object)
    }
  }
}
