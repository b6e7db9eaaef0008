import Contracts
import EdgeAPI
import EdgeRuntime
import Foundation
import Hummingbird
import PostgresNIO
import TestSupport
import Testing

@Suite struct DecisionSetsAPITests {
  /// Runs the thread's pending job with the test nodes, as a worker would.
  static func runPendingJob(_ client: PostgresClient, briefSuffices: Bool = false) async throws -> GraphEngine.RunOutcome {
    try await client.query(PostgresQuery(unsafeSQL: TestNodeBook.effectsTable), logger: TestDatabase.logger)
    let queue = JobQueue(client: client, logger: TestDatabase.logger)
    let engine = GraphEngine(
      client: client, nodes: TestNode.all(book: TestNodeBook(), briefSuffices: briefSuffices), queue: queue,
      logger: TestDatabase.logger)
    let job = try #require(try await queue.claim(owner: "test", limit: 1, lease: .seconds(30)).first)
    return try await engine.run(job)
  }

  static func project(_ edge: EdgeTestClient) async throws -> String {
    try #require(try await edge.send(.post, "/v1/projects", json: #"{"name": "p"}"#).json()["id"] as? String)
  }

  @Test func createStartsARunAndAnswersWithLinks() async throws {
    try await EdgeTestClient.withEdge { edge, client in
      let project = try await Self.project(edge)
      let created = try await edge.send(
        .post, "/v1/projects/\(project)/decision-sets",
        json: #"{"brief": "fraud scoring, p95 under 80 ms", "constraints": {"latency_p95_ms": {"value": 80, "unit": "ms"}}}"#)
      #expect(created.status == .accepted)
      let body = try created.json()
      let id = try #require(body["id"] as? String)
      #expect(body["status"] as? String == "running")
      #expect(body["version"] as? Int == 1)
      #expect((body["links"] as? [String: String])?["stream"] == "/v1/decision-sets/\(id)/stream")
      #expect((body["links"] as? [String: String])?["stream_tickets"] == "/v1/decision-sets/\(id)/stream-tickets")
      #expect(created.headers[.location] == "/v1/decision-sets/\(id)")
      // The row, its root checkpoint and its first job committed together.
      #expect(try await Fixtures.count("SELECT count(*) FROM jobs WHERE state = 'ready'", on: client) == 1)
      let detail = try await edge.send(.get, "/v1/decision-sets/\(id)").json()
      #expect(detail["brief"] as? String == "fraud scoring, p95 under 80 ms")
      #expect(((detail["constraints"] as? [String: Any])?["latency_p95_ms"] as? [String: Any])?["value"] as? Double == 80)
    }
  }

  @Test func questionsAnswersApprovalAndTheTimeline() async throws {
    try await EdgeTestClient.withEdge { edge, client in
      let project = try await Self.project(edge)
      let id = try #require(
        try await edge.send(.post, "/v1/projects/\(project)/decision-sets", json: #"{"brief": "b"}"#).json()["id"] as? String)
      #expect(try await Self.runPendingJob(client) == .waiting(.answers))

      let waiting = try await edge.send(.get, "/v1/decision-sets/\(id)")
      #expect(try waiting.json()["status"] as? String == "waiting_for_answers")
      let questions = try #require(try waiting.json()["open_questions"] as? [[String: Any]])
      #expect(questions.map { $0["id"] as? String } == ["q-budget"])

      let unknown = try await edge.send(
        .post, "/v1/decision-sets/\(id)/answers", json: #"{"answers": [{"question_id": "q-nope", "value": "1"}]}"#)
      #expect(unknown.status == .unprocessableContent)
      #expect(try unknown.json()["code"] as? String == "unknown_question")
      let answered = try await edge.send(
        .post, "/v1/decision-sets/\(id)/answers", json: #"{"answers": [{"question_id": "q-budget", "value": "3000"}]}"#)
      #expect(answered.status == .accepted, "\(String(decoding: answered.body, as: UTF8.self))")
      #expect(try await Self.runPendingJob(client) == .waiting(.approval))

      let gate = try await edge.send(.get, "/v1/decision-sets/\(id)")
      #expect(try gate.json()["status"] as? String == "waiting_for_approval")
      let version = try #require(try gate.json()["lock_version"] as? Int)
      let stale = try await edge.send(
        .post, "/v1/decision-sets/\(id)/approve", json: #"{"status": "approved"}"#, headers: [.ifMatch: "\(version - 1)"])
      #expect(stale.status == .preconditionFailed)
      let approved = try await edge.send(
        .post, "/v1/decision-sets/\(id)/approve",
        json:
          #"{"status": "approved", "comment": "ship it", "inline_comments": [{"path": "infra/main.tf", "text": "tag everything"}]}"#,
        headers: [.ifMatch: "\(version)"])
      #expect(approved.status == .accepted)
      #expect(try await Self.runPendingJob(client) == .ended(.completed))

      let done = try await edge.send(.get, "/v1/decision-sets/\(id)").json()
      #expect(done["status"] as? String == "completed")
      let notes = ((done["constraints"] as? [String: Any])?["review_notes"] as? [[String: Any]])?.compactMap {
        $0["value"] as? String
      }
      #expect(notes == ["ship it", "infra/main.tf: tag everything"])
      #expect(try await Fixtures.count("SELECT count(*) FROM approvals WHERE status = 'approved'", on: client) == 1)

      let timeline = try await edge.send(.get, "/v1/decision-sets/\(id)/events").json()
      let items = try #require(timeline["items"] as? [[String: Any]])
      let types = items.compactMap { $0["type"] as? String }
      #expect(types.filter { $0 == "gate-waiting" }.count == 2)
      #expect(types.last == "run-complete")
      let ids = items.compactMap { $0["id"] as? Int }
      #expect(ids == ids.sorted())

      let page = try await edge.send(.get, "/v1/decision-sets/\(id)/events?after=\(ids[2])&limit=2").json()
      #expect((page["items"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [ids[3], ids[4]])
      #expect(page["next_after"] as? Int == ids[4])
    }
  }

  /// A correction of the constraints while the run waits: checked, recorded as an override
  /// with who made it, and the run resumes; stale, off-schema, empty or ill-timed ones are refused.
  @Test func constraintsAreCorrectedWhileTheRunWaits() async throws {
    try await EdgeTestClient.withEdge { edge, client in
      let project = try await Self.project(edge)
      let id = try #require(
        try await edge.send(.post, "/v1/projects/\(project)/decision-sets", json: #"{"brief": "b"}"#).json()["id"] as? String)
      #expect(try await Self.runPendingJob(client) == .waiting(.answers))
      let path = "/v1/decision-sets/\(id)/constraints"
      let version = try #require(try await edge.send(.get, "/v1/decision-sets/\(id)").json()["lock_version"] as? Int)

      let unknown = try await edge.send(.patch, path, json: #"{"clear": ["nope"]}"#)
      #expect(unknown.status == .unprocessableContent)
      #expect(try unknown.json()["field"] as? String == "clear[0]")
      let notes = try await edge.send(.patch, path, json: #"{"set": {"review_notes": [{"value": "x"}]}}"#)
      #expect(notes.status == .unprocessableContent)
      let outOfRange = try await edge.send(.patch, path, json: #"{"set": {"latency_p95_ms": {"value": -5}}}"#)
      #expect(outOfRange.status == .unprocessableContent)
      let stale = try await edge.send(
        .patch, path, json: #"{"set": {"latency_p95_ms": {"value": 50, "unit": "ms"}}}"#, headers: [.ifMatch: "\(version + 1)"])
      #expect(stale.status == .preconditionFailed)
      let nothing = try await edge.send(.patch, path, json: #"{"clear": ["latency_p95_ms"]}"#, headers: [.ifMatch: "\(version)"])
      #expect(nothing.status == .unprocessableContent)
      #expect(try nothing.json()["code"] as? String == "nothing_to_correct")

      let corrected = try await edge.send(
        .patch, path, json: #"{"set": {"latency_p95_ms": {"value": 50, "unit": "ms"}}, "comment": "the API is user-facing"}"#,
        headers: [.ifMatch: "\(version)"])
      #expect(corrected.status == .accepted, "\(String(decoding: corrected.body, as: UTF8.self))")
      #expect(try await Fixtures.count("SELECT count(*) FROM jobs WHERE state = 'ready'", on: client) == 1, "the run resumed")
      let again = try await edge.send(.patch, path, json: #"{"set": {"latency_p95_ms": {"value": 60}}}"#)
      #expect(again.status == .conflict, "the run is not waiting any more")

      let detail = try await edge.send(.get, "/v1/decision-sets/\(id)").json()
      let edits = try #require(detail["constraint_edits"] as? [[String: Any]])
      #expect(edits.count == 1)
      #expect(edits.first?["changes"] as? [String] == ["latency_p95_ms: (unset) → 50 ms"])
      #expect(edits.first?["at"] as? String == "adaptive_questions")
      #expect(edits.first?["comment"] as? String == "the API is user-facing")
      #expect((edits.first?["edited_by"] as? String)?.isEmpty == false)
      let latency = (detail["constraints"] as? [String: Any])?["latency_p95_ms"] as? [String: Any]
      #expect(latency?["value"] as? Double == 50)
      #expect((latency?["provenance"] as? [String: Any])?["kind"] as? String == "SOURCE_KIND_OVERRIDE")
      #expect(
        try await Fixtures.count(
          "SELECT count(*) FROM audit_events WHERE action = 'decision_set.constraints_corrected'", on: client) == 1)

      // An enum list reads as people say it: COMPLIANCE_REGIME_GDPR → gdpr.
      let listed = try ConstraintCorrection(set: .with { $0.compliance.values = [.gdpr, .hipaa] }, clear: [])
        .applied(to: Mlops_V1_Constraints())
      #expect(listed.changes == ["compliance: (unset) → gdpr, hipaa"])
    }
  }

  @Test func inputWhenTheRunIsNotWaitingIsAConflict() async throws {
    try await EdgeTestClient.withEdge { edge, _ in
      let project = try await Self.project(edge)
      let id = try #require(
        try await edge.send(.post, "/v1/projects/\(project)/decision-sets", json: #"{"brief": "b"}"#).json()["id"] as? String)
      let approve = try await edge.send(.post, "/v1/decision-sets/\(id)/approve", json: #"{"status": "approved"}"#)
      #expect(approve.status == .conflict)
      #expect(try approve.json()["code"] as? String == "not_waiting")
      let answer = try await edge.send(
        .post, "/v1/decision-sets/\(id)/answers", json: #"{"answers": [{"question_id": "q", "value": "1"}]}"#)
      #expect(answer.status == .conflict)
    }
  }

  @Test(arguments: [
    ("POST", "/v1/projects/9b2f4a1e-0c55-4a8e-9d7e-1f2a3b4c5d6e/decision-sets", #"{"brief": "b"}"#, 404, "project_not_found"),
    ("POST", "/v1/projects/PROJECT/decision-sets", #"{}"#, 422, "missing_field"),
    (
      "POST", "/v1/projects/PROJECT/decision-sets", #"{"brief": "b", "constraints": {"latency_p95_ms": "fast"}}"#, 422,
      "invalid_field"
    ),
    ("POST", "/v1/projects/PROJECT/decision-sets", #"{"brief": "b", "constraints": {"no_such_field": 1}}"#, 422, "invalid_field"),
    ("POST", "/v1/projects/PROJECT/decision-sets", #"{"brief": "#, 400, "malformed_json"),
    ("GET", "/v1/decision-sets/9b2f4a1e-0c55-4a8e-9d7e-1f2a3b4c5d6e", "", 404, "decision_set_not_found"),
    ("GET", "/v1/decision-sets/9b2f4a1e-0c55-4a8e-9d7e-1f2a3b4c5d6e/events", "", 404, "decision_set_not_found"),
    (
      "POST", "/v1/decision-sets/9b2f4a1e-0c55-4a8e-9d7e-1f2a3b4c5d6e/approve", #"{"status": "approved"}"#, 404,
      "decision_set_not_found"
    ),
  ])
  func badInput(method: String, path: String, body: String, status: Int, code: String) async throws {
    try await EdgeTestClient.withEdge { edge, _ in
      let project = try await Self.project(edge)
      let reply = try await edge.send(
        HTTPRequest.Method(rawValue: method)!, path.replacingOccurrences(of: "PROJECT", with: project),
        json: body.isEmpty ? nil : body)
      #expect(Int(reply.status.code) == status)
      #expect(try reply.json()["code"] as? String == code)
    }
  }
}
