import EdgeAPI
import EdgeRuntime
import Foundation
import HTTPTypes
import Hummingbird
import PostgresNIO
import TestSupport
import Testing

/// A POST sent again with the same `Idempotency-Key` (a client retrying after a lost answer)
/// does its work once and gets the first answer back.
@Suite struct IdempotencyTests {
  static let key = HTTPField.Name("Idempotency-Key")!

  @Test func aRetriedProjectCreationMakesOneProject() async throws {
    try await EdgeTestClient.withEdge { edge, client in
      let body = #"{"name": "retried"}"#
      let first = try await edge.send(.post, "/v1/projects", json: body, headers: [Self.key: "create-1"])
      #expect(first.status == .created)
      let again = try await edge.send(.post, "/v1/projects", json: body, headers: [Self.key: "create-1"])
      #expect(again.status == .created)
      #expect(again.body == first.body)
      #expect(again.headers[.location] == first.headers[.location])
      #expect(again.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
      #expect(try await Fixtures.count("SELECT count(*) FROM projects", on: client) == 1)

      // Another key is another request.
      let other = try await edge.send(.post, "/v1/projects", json: body, headers: [Self.key: "create-2"])
      #expect(other.status == .created)
      #expect(try await Fixtures.count("SELECT count(*) FROM projects", on: client) == 2)
    }
  }

  @Test func theSameKeyWithAnotherBodyIs422() async throws {
    try await EdgeTestClient.withEdge { edge, client in
      _ = try await edge.send(.post, "/v1/projects", json: #"{"name": "a"}"#, headers: [Self.key: "k"])
      let reused = try await edge.send(.post, "/v1/projects", json: #"{"name": "b"}"#, headers: [Self.key: "k"])
      #expect(reused.status == .unprocessableContent)
      #expect(try reused.json()["code"] as? String == "idempotency_key_reused")
      #expect(try await Fixtures.count("SELECT count(*) FROM projects", on: client) == 1)
    }
  }

  @Test func keysAreEachCallersOwn() async throws {
    try await EdgeTestClient.withEdge { edge, client in
      let body = #"{"name": "shared key"}"#
      #expect(try await edge.send(.post, "/v1/projects", json: body, headers: [Self.key: "k"]).status == .created)
      let theirs = try await edge.send(.post, "/v1/projects", json: body, headers: [Self.key: "k"], as: "someone-else")
      #expect(theirs.status == .created)
      #expect(theirs.headers[HTTPField.Name("Idempotent-Replayed")!] == nil)
      #expect(try await Fixtures.count("SELECT count(*) FROM projects", on: client) == 2)
    }
  }

  @Test(arguments: ["", String(repeating: "k", count: 256), "spaces are not allowed", "ключ"])
  func aMalformedKeyIs400(key: String) async throws {
    try await EdgeTestClient.withEdge { edge, client in
      let reply = try await edge.send(.post, "/v1/projects", json: #"{"name": "a"}"#, headers: [Self.key: key])
      #expect(reply.status == .badRequest)
      #expect(try reply.json()["code"] as? String == "invalid_header")
      #expect(try await Fixtures.count("SELECT count(*) FROM projects", on: client) == 0)
    }
  }

  /// A request that failed did nothing, so its key is free for the corrected retry.
  @Test func aFailedRequestLeavesItsKeyFree() async throws {
    try await EdgeTestClient.withEdge { edge, _ in
      let bad = try await edge.send(.post, "/v1/projects", json: #"{"name": ""}"#, headers: [Self.key: "k"])
      #expect(bad.status == .unprocessableContent)
      let good = try await edge.send(.post, "/v1/projects", json: #"{"name": "fixed"}"#, headers: [Self.key: "k"])
      #expect(good.status == .created)
    }
  }

  @Test func aRetriedBriefStartsOneRunAndARetriedApprovalApprovesOnce() async throws {
    try await EdgeTestClient.withEdge { edge, client in
      let project = try await DecisionSetsAPITests.project(edge)
      let brief = #"{"brief": "fraud scoring, p95 under 80 ms"}"#
      let first = try await edge.send(
        .post, "/v1/projects/\(project)/decision-sets", json: brief, headers: [Self.key: "brief-1"])
      let again = try await edge.send(
        .post, "/v1/projects/\(project)/decision-sets", json: brief, headers: [Self.key: "brief-1"])
      #expect(first.status == .accepted)
      #expect(again.status == .accepted)
      #expect(try again.json()["id"] as? String == first.json()["id"] as? String)
      #expect(try await Fixtures.count("SELECT count(*) FROM decision_sets", on: client) == 1)
      #expect(try await Fixtures.count("SELECT count(*) FROM jobs", on: client) == 1)
      let id = try #require(try first.json()["id"] as? String)

      #expect(try await DecisionSetsAPITests.runPendingJob(client) == .waiting(.answers))
      let answer = #"{"answers": [{"question_id": "q-budget", "value": "3000"}]}"#
      for _ in 0..<2 {
        let answered = try await edge.send(
          .post, "/v1/decision-sets/\(id)/answers", json: answer, headers: [Self.key: "answer-1"])
        #expect(answered.status == .accepted)
      }
      #expect(try await DecisionSetsAPITests.runPendingJob(client) == .waiting(.approval))

      let approval = #"{"status": "approved"}"#
      for _ in 0..<2 {
        let approved = try await edge.send(
          .post, "/v1/decision-sets/\(id)/approve", json: approval, headers: [Self.key: "approve-1"])
        #expect(approved.status == .accepted)
      }
      #expect(try await Fixtures.count("SELECT count(*) FROM approvals", on: client) == 1)
      #expect(try await Fixtures.count("SELECT count(*) FROM jobs WHERE state = 'ready'", on: client) == 1)
      // Without a key, the same approval sent again is refused: the run no longer waits.
      let unkeyed = try await edge.send(.post, "/v1/decision-sets/\(id)/approve", json: approval)
      #expect(unkeyed.status == .conflict)
    }
  }

  /// Kept 24 hours: an older key is forgotten by the prune and may be used again.
  @Test func keysAreForgottenAfterADay() async throws {
    try await EdgeTestClient.withEdge { edge, client in
      let body = #"{"name": "old"}"#
      _ = try await edge.send(.post, "/v1/projects", json: body, headers: [Self.key: "k"])
      try await client.query(
        "UPDATE idempotency_keys SET created_at = now() - interval '25 hours'", logger: TestDatabase.logger)
      let pruned = try await IdempotencyStore(client: client, logger: TestDatabase.logger).prune()
      #expect(pruned == 1)
      let reused = try await edge.send(.post, "/v1/projects", json: #"{"name": "new"}"#, headers: [Self.key: "k"])
      #expect(reused.status == .created)
    }
  }
}
