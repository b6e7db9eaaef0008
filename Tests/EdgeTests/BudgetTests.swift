import Contracts
import EdgeAPI
import EdgeRuntime
import Foundation
import PostgresNIO
import TestSupport
import Testing

/// Budgets per project, metered where use happens: runs when they are admitted, model tokens
/// when the step that spent them commits. At 80% a run is told once (a `budget-warning` event
/// and a line on its next Reason Card); at 100% new runs are refused with the budget, the use
/// and when it resets, while a running version finishes.
@Suite(.serialized) struct BudgetTests {
  /// A test node whose Reason Card records model tokens, as a provider's reply would.
  struct SpendingNode: GraphNode {
    let inner: TestNode
    let tokens: Int64
    var name: NodeName { inner.name }
    var agent: String { inner.agent }

    func run(state: Mlops_V1_DecisionState, context: NodeContext) async throws -> Mlops_V1_DecisionState {
      var state = try await inner.run(state: state, context: context)
      state.reasonCards[state.reasonCards.count - 1].provider = .with {
        $0.name = "fake"
        $0.model = "fake-1"
        $0.inputTokens = tokens - tokens / 4
        $0.outputTokens = tokens / 4
      }
      return state
    }
  }

  static let spending: [NodeName: Int64] = [.intakeExtract: 45, .planner: 45, .criticCost: 20]

  static func engine(_ database: PostgresClient) async throws -> GraphEngine {
    try await database.query(PostgresQuery(unsafeSQL: TestNodeBook.effectsTable), logger: TestDatabase.logger)
    let book = TestNodeBook()
    let nodes: [any GraphNode] = TestNode.all(book: book).map { node in
      guard let test = node as? TestNode, let tokens = spending[node.name] else { return node }
      return SpendingNode(inner: test, tokens: tokens)
    }
    return GraphEngine(
      client: database, nodes: nodes, queue: JobQueue(client: database, logger: TestDatabase.logger),
      logger: TestDatabase.logger)
  }

  static func createProject(_ edge: EdgeTestClient) async throws -> String {
    try #require(try await edge.send(.post, "/v1/projects", json: #"{"name": "budgeted"}"#).json()["id"] as? String)
  }

  static func usage(_ edge: EdgeTestClient, _ project: String) async throws -> [String: [String: Any]] {
    let items = try await edge.send(.get, "/v1/projects/\(project)/usage").json()["items"] as? [[String: Any]] ?? []
    return Dictionary(uniqueKeysWithValues: items.map { ($0["metric"] as? String ?? "", $0) })
  }

  static func utcCalendar() -> Calendar {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    return calendar
  }

  @Test func tokensWarnAtEightyPercentRefuseNewRunsAtTheLimitAndARunningVersionFinishes() async throws {
    try await EdgeTestClient.withEdge { edge, database in
      let engine = try await Self.engine(database)
      let project = try await Self.createProject(edge)
      let set = try await edge.send(.put, "/v1/projects/\(project)/budgets", json: #"{"model_tokens_per_month": 100}"#)
      #expect(set.status == .ok, "\(String(decoding: set.body, as: UTF8.self))")
      let created = try await edge.send(.post, "/v1/projects/\(project)/decision-sets", json: #"{"brief": "fraud"}"#)
      let id = try #require(try created.json()["id"] as? String)
      let thread = try #require(UUID(uuidString: id))

      let job = try #require(try await engine.queue.claim(owner: "test", limit: 1, lease: .seconds(30)).first)
      #expect(try await engine.run(job) == .waiting(.approval))

      // 45 + 45 tokens reach 90% when the planner commits: critic_tech, the next step, says so once.
      let state = try #require(try await engine.checkpointer.latest(threadID: thread)).state
      let warned = state.reasonCards.filter { $0.risks.contains { $0.hasPrefix("budget model_tokens_per_month") } }
      #expect(warned.map(\.node) == ["critic_tech"], "\(state.reasonCards.map { ($0.node, $0.risks) })")
      #expect(warned.first?.risks.last?.contains("model tokens this month: 90 of 100 (90%)") == true)
      let events = try await edge.send(.get, "/v1/decision-sets/\(id)/events").json()["items"] as? [[String: Any]] ?? []
      let warnings = events.filter { $0["type"] as? String == "budget-warning" }
      #expect(warnings.count == 1, "\(events.map { $0["type"] ?? "" })")
      let warning = try #require(warnings.first?["data"] as? [String: Any])
      #expect(warning["metric"] as? String == "model_tokens_per_month")
      #expect(warning["used"] as? Int == 90 && warning["limit"] as? Int == 100)

      // critic_cost spent 20 more: 110 of 100, counted once however often the step is read back.
      let usage = try await Self.usage(edge, project)
      #expect(usage["model_tokens_per_month"]?["used"] as? Int == 110)
      #expect(usage["model_tokens_per_month"]?["state"] as? String == "exhausted")
      #expect(usage["runs_per_day"]?["used"] as? Int == 1 && usage["runs_per_day"]?["limit"] is NSNull)

      // A new run is refused with the budget, the use and the reset: the first of next month, UTC.
      let refused = try await edge.send(.post, "/v1/projects/\(project)/decision-sets", json: #"{"brief": "more"}"#)
      #expect(refused.status == .tooManyRequests)
      let problem = try refused.json()
      #expect(problem["code"] as? String == "budget_exhausted")
      #expect(problem["budget"] as? String == "model_tokens_per_month")
      #expect(problem["limit"] as? Int == 100 && problem["used"] as? Int == 110)
      let calendar = Self.utcCalendar()
      let nextMonth = calendar.date(
        byAdding: .month, value: 1, to: calendar.date(from: calendar.dateComponents([.year, .month], from: Date()))!)!
      #expect(problem["resets_at"] as? String == nextMonth.formatted(.iso8601))
      let retry = try #require(Int(refused.headers[.retryAfter] ?? ""))
      #expect(retry > 0 && retry <= 31 * 86_400)

      // The running version finishes: approval resumes it and it runs to the end.
      try await engine.runs.resume(threadID: thread) { $0.approval.status = .approved }
      let rest = try #require(try await engine.queue.claim(owner: "test", limit: 1, lease: .seconds(30)).first)
      #expect(try await engine.run(rest) == .ended(.completed))
      let final = try await edge.send(.get, "/v1/decision-sets/\(id)/events").json()["items"] as? [[String: Any]] ?? []
      #expect(final.filter { $0["type"] as? String == "budget-warning" }.count == 1, "one warning per run and period")

      // Raising the budget lets new runs in again.
      let raised = try await edge.send(.put, "/v1/projects/\(project)/budgets", json: #"{"model_tokens_per_month": 1000}"#)
      #expect(raised.status == .ok)
      #expect(try await edge.send(.post, "/v1/projects/\(project)/decision-sets", json: #"{"brief": "x"}"#).status == .accepted)
    }
  }

  @Test func runsPerDayAndConcurrentRunsAreCountedWhenARunIsAdmitted() async throws {
    try await EdgeTestClient.withEdge { edge, _ in
      let project = try await Self.createProject(edge)
      #expect(
        try await edge.send(.put, "/v1/projects/\(project)/budgets", json: #"{"runs_per_day": 2}"#).status == .ok)
      for brief in ["one", "two"] {
        let created = try await edge.send(.post, "/v1/projects/\(project)/decision-sets", json: #"{"brief": "\#(brief)"}"#)
        #expect(created.status == .accepted)
      }
      let third = try await edge.send(.post, "/v1/projects/\(project)/decision-sets", json: #"{"brief": "three"}"#)
      #expect(third.status == .tooManyRequests)
      let problem = try third.json()
      #expect(problem["budget"] as? String == "runs_per_day" && problem["used"] as? Int == 2)
      let calendar = Self.utcCalendar()
      let tomorrow = calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: Date()))!
      #expect(problem["resets_at"] as? String == tomorrow.formatted(.iso8601))

      // No worker runs them here: both are still running, so one concurrent run is spent twice over.
      #expect(
        try await edge.send(.put, "/v1/projects/\(project)/budgets", json: #"{"concurrent_runs": 2}"#).status == .ok)
      let concurrent = try await edge.send(.post, "/v1/projects/\(project)/decision-sets", json: #"{"brief": "four"}"#)
      #expect(concurrent.status == .tooManyRequests)
      #expect(try concurrent.json()["budget"] as? String == "concurrent_runs")
      let usage = try await Self.usage(edge, project)
      #expect(usage["concurrent_runs"]?["used"] as? Int == 2 && usage["concurrent_runs"]?["resets_at"] is NSNull)
      #expect(usage["runs_per_day"]?["limit"] is NSNull, "a budget left out is no limit")

      // The largest budget the API documents fits every column (schemathesis found a 500 here).
      let largest = try await edge.send(
        .put, "/v1/projects/\(project)/budgets",
        json:
          #"{"model_tokens_per_month": 1000000000000, "runs_per_day": 1000000000000, "concurrent_runs": 1000000000000, "validator_minutes_per_month": 999999999999}"#
      )
      #expect(largest.status == .ok, "\(String(decoding: largest.body, as: UTF8.self))")

      // Bad budgets are refused with the field at fault.
      for body in [#"{"runs_per_day": -1}"#, #"{"runs_per_day": 1.5}"#, #"{"runs": 3}"#, #"{"runs_per_day": "3"}"#] {
        let bad = try await edge.send(.put, "/v1/projects/\(project)/budgets", json: body)
        #expect(bad.status == .unprocessableContent, "\(body)")
      }
      let audit = try await edge.send(.get, "/v1/projects/\(project)/audit").json()["items"] as? [[String: Any]] ?? []
      #expect(audit.filter { $0["action"] as? String == "project.budgets_set" }.count == 3)
    }
  }
}
