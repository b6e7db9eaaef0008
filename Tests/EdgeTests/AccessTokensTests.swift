import EdgeRuntime
import Foundation
import HTTPTypes
import PostgresNIO
import TestSupport
import Testing

/// Personal access tokens: shown once, stored as a digest, acting as their owner, listed
/// without the secret, revoked at once, never visible to another user, unable to make more.
struct AccessTokensTests {
  @Test func aTokenActsAsItsOwnerUntilRevoked() async throws {
    try await EdgeTestClient.withEdge { edge, database in
      let project = try #require(
        try await edge.send(.post, "/v1/projects", json: #"{"name": "ci"}"#).json()["id"] as? String)
      let created = try await edge.send(.post, "/v1/tokens", json: #"{"name": "ci deploys", "expires_in_days": 7}"#)
      #expect(created.status == .created, "\(String(decoding: created.body, as: UTF8.self))")
      let secret = try #require(try created.json()["token"] as? String)
      let id = try #require(try created.json()["id"] as? String)
      #expect(secret.hasPrefix("mlops_pat_") && secret.count == 53)

      // Only the digest is stored: nothing in the table holds the secret.
      let stored = try await database.query("SELECT row_to_json(t)::text FROM access_tokens t", logger: TestDatabase.logger)
      for try await row in stored.decode(String.self) { #expect(!row.contains(secret.dropFirst(10))) }

      let pat: HTTPFields = [.authorization: "Bearer \(secret)"]
      let projects = try await edge.send(.get, "/v1/projects", headers: pat)
      #expect(projects.status == .ok)
      #expect((try projects.json()["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [project])
      let me = try await edge.send(.get, "/v1/me", headers: pat).json()
      #expect(me["subject"] as? String == TestIdentity.defaultUser)

      // A token cannot make another; the list never shows the secret.
      #expect(try await edge.send(.post, "/v1/tokens", json: #"{"name": "x"}"#, headers: pat).status == .forbidden)
      let listed = try await edge.send(.get, "/v1/tokens")
      #expect(!String(decoding: listed.body, as: UTF8.self).contains(secret))
      let items = try #require(try listed.json()["items"] as? [[String: Any]])
      #expect(items.count == 1 && items[0]["name"] as? String == "ci deploys" && items[0]["last_used_at"] is String)

      // Another user neither sees nor revokes it.
      #expect((try await edge.send(.get, "/v1/tokens", as: "mallory").json()["items"] as? [Any])?.isEmpty == true)
      #expect(try await edge.send(.delete, "/v1/tokens/\(id)", as: "mallory").status == .notFound)
      #expect(try await edge.send(.get, "/v1/projects", headers: pat).status == .ok)

      #expect(try await edge.send(.delete, "/v1/tokens/\(id)").status == .noContent)
      let revoked = try await edge.send(.get, "/v1/projects", headers: pat)
      #expect(revoked.status == .unauthorized)
      #expect(try revoked.json()["code"] as? String == "unauthenticated")
      let guessed = "mlops_pat_" + String(repeating: "A", count: 43)
      #expect(try await edge.send(.get, "/v1/projects", headers: [.authorization: "Bearer \(guessed)"]).status == .unauthorized)

      let trail = try await edge.send(.get, "/v1/projects/\(project)/audit").json()["items"] as? [[String: Any]] ?? []
      #expect(!trail.contains { ($0["action"] as? String)?.hasPrefix("token.") == true }, "tokens belong to no project")
      let rows = try await database.query(
        "SELECT action FROM audit_events WHERE target = \(id) ORDER BY id", logger: TestDatabase.logger)
      var actions: [String] = []
      for try await action in rows.decode(String.self) { actions.append(action) }
      #expect(actions == ["token.created", "token.revoked"])
    }
  }

  @Test func anExpiredTokenIsRefusedAndBadRequestsAreClear() async throws {
    try await EdgeTestClient.withEdge { edge, database in
      let created = try await edge.send(.post, "/v1/tokens", json: #"{"name": "short"}"#)
      let secret = try #require(try created.json()["token"] as? String)
      try await database.query("UPDATE access_tokens SET expires_at = now() - interval '1 second'", logger: TestDatabase.logger)
      #expect(try await edge.send(.get, "/v1/me", headers: [.authorization: "Bearer \(secret)"]).status == .unauthorized)
      for body in [
        #"{}"#, #"{"name": ""}"#, #"{"name": "x", "expires_in_days": 0}"#, #"{"name": "x", "expires_in_days": 1.5}"#,
        #"{"name": "x", "scope": "all"}"#,
      ] {
        let refused = try await edge.send(.post, "/v1/tokens", json: body)
        #expect(refused.status == .unprocessableContent, "\(body): \(refused.status)")
      }
    }
  }
}
