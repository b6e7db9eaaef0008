import ArgumentParser

struct AnswerCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "answer", abstract: "Answer a decision set's open questions: QUESTION_ID=VALUE ...")

  @OptionGroup var options: ServerOptions
  @Argument(help: "The decision set id.") var decisionSet: String
  @Argument(help: "Answers as question_id=value.") var answers: [String]

  func validate() throws {
    guard !answers.isEmpty else { throw ValidationError("give at least one answer as question_id=value") }
    for answer in answers where !answer.contains("=") {
      throw ValidationError("\(answer) is not question_id=value")
    }
  }

  func run() async throws {
    let body = answers.map { answer -> [String: String] in
      let parts = answer.split(separator: "=", maxSplits: 1)
      return ["question_id": String(parts[0]), "value": parts.count > 1 ? String(parts[1]) : ""]
    }
    printJSON(try await options.client.send("POST", "/v1/decision-sets/\(decisionSet)/answers", json: ["answers": body]))
  }
}
