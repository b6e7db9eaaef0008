import ArgumentParser

struct ApproveCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "approve", abstract: "Approve (or --reject) a decision set waiting at the review gate.")

  @OptionGroup var options: ServerOptions
  @Argument(help: "The decision set id.") var decisionSet: String
  @Flag(help: "Reject instead of approving.") var reject = false
  @Option(help: "A comment for the record; it is quoted to the next steps.") var comment: String?
  @Option(help: "Only if the decision set is still at this lock_version.") var ifMatch: Int?

  func run() async throws {
    var body: [String: Any] = ["status": reject ? "rejected" : "approved"]
    if let comment { body["comment"] = comment }
    let headers = ifMatch.map { ["If-Match": "\"\($0)\""] } ?? [:]
    try await options.withClient { client in
      printJSON(try await client.send(.POST, "/v1/decision-sets/\(decisionSet)/approve", json: body, headers: headers).object)
    }
  }
}
