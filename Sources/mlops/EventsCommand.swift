import ArgumentParser

struct EventsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "events", abstract: "Print a decision set's events, one JSON object a line.")

  @OptionGroup var options: ServerOptions
  @Argument(help: "The decision set id.") var decisionSet: String
  @Option(help: "Only events after this id.") var after: Int = 0

  func run() async throws {
    try await options.withClient { client in
      var cursor = after
      while true {
        let page = try await client.send(.GET, "/v1/decision-sets/\(decisionSet)/events?after=\(cursor)&limit=500").fields
        for item in page["items"] as? [[String: Any]] ?? [] { printJSON(item) }
        guard let next = page["next_after"] as? Int else { return }
        cursor = next
      }
    }
  }
}
