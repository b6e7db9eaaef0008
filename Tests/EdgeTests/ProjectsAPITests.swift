import Foundation
import Hummingbird
import PostgresNIO
import TestSupport
import Testing

@Suite struct ProjectsAPITests {
  @Test func createGetUpdateDeleteRoundTrip() async throws {
    try await EdgeTestClient.withEdge { edge, _ in
      let created = try await edge.send(
        .post, "/v1/projects", json: #"{"name": "  Fraud scoring  ", "description": "card transactions"}"#)
      #expect(created.status == .created)
      let project = try created.json()
      let id = try #require(project["id"] as? String)
      #expect(project["name"] as? String == "Fraud scoring")
      #expect(project["description"] as? String == "card transactions")
      #expect(project["lock_version"] as? Int == 1)
      #expect(created.headers[.location] == "/v1/projects/\(id)")
      #expect(created.headers[.eTag] == "\"1\"")
      #expect(id == id.lowercased())

      let fetched = try await edge.send(.get, "/v1/projects/\(id)")
      #expect(fetched.status == .ok)
      #expect(try fetched.json()["name"] as? String == "Fraud scoring")

      let renamed = try await edge.send(
        .patch, "/v1/projects/\(id)", json: #"{"name": "Fraud v2"}"#, headers: [.ifMatch: "\"1\""])
      #expect(renamed.status == .ok)
      #expect(try renamed.json()["name"] as? String == "Fraud v2")
      #expect(try renamed.json()["description"] as? String == "card transactions")
      #expect(try renamed.json()["lock_version"] as? Int == 2)

      let deleted = try await edge.send(.delete, "/v1/projects/\(id)", headers: [.ifMatch: "2"])
      #expect(deleted.status == .noContent)
      #expect(try await edge.send(.get, "/v1/projects/\(id)").status == .notFound)
    }
  }

  @Test func staleIfMatchGets412AndLeavesTheRowAsItWas() async throws {
    try await EdgeTestClient.withEdge { edge, _ in
      let id = try #require(try await edge.send(.post, "/v1/projects", json: #"{"name": "A"}"#).json()["id"] as? String)
      #expect(try await edge.send(.patch, "/v1/projects/\(id)", json: #"{"name": "B"}"#, headers: [.ifMatch: "1"]).status == .ok)

      let stale = try await edge.send(.patch, "/v1/projects/\(id)", json: #"{"name": "C"}"#, headers: [.ifMatch: "1"])
      #expect(stale.status == .preconditionFailed)
      #expect(stale.headers[.contentType] == "application/problem+json")
      #expect(try stale.json()["code"] as? String == "version_mismatch")

      let staleDelete = try await edge.send(.delete, "/v1/projects/\(id)", headers: [.ifMatch: "1"])
      #expect(staleDelete.status == .preconditionFailed)

      let current = try await edge.send(.get, "/v1/projects/\(id)").json()
      #expect(current["name"] as? String == "B")
      #expect(current["lock_version"] as? Int == 2)
    }
  }

  @Test func listsPageByPageWithACursor() async throws {
    try await EdgeTestClient.withEdge { edge, _ in
      for index in 1...5 {
        #expect(try await edge.send(.post, "/v1/projects", json: #"{"name": "p\#(index)"}"#).status == .created)
      }
      var names: [String] = []
      var uri = "/v1/projects?limit=2"
      var pages = 0
      while true {
        let page = try await edge.send(.get, uri).json()
        let items = try #require(page["items"] as? [[String: Any]])
        names += items.compactMap { $0["name"] as? String }
        pages += 1
        guard let cursor = page["next_cursor"] as? String else { break }
        uri = "/v1/projects?limit=2&cursor=\(cursor)"
      }
      #expect(names == ["p1", "p2", "p3", "p4", "p5"])
      #expect(pages == 3)
    }
  }

  struct BadInput: Sendable, CustomTestStringConvertible {
    var name: String
    var method: HTTPRequest.Method
    var path: String
    var body: String?
    var headers: HTTPFields = [:]
    var status: HTTPResponse.Status
    var code: String
    var field: String?
    var testDescription: String { name }
  }

  static let badInputs: [BadInput] = [
    BadInput(
      name: "malformed JSON", method: .post, path: "/v1/projects", body: #"{"name": "#, status: .badRequest,
      code: "malformed_json"),
    BadInput(name: "empty body", method: .post, path: "/v1/projects", body: "", status: .badRequest, code: "malformed_json"),
    BadInput(
      name: "array body", method: .post, path: "/v1/projects", body: "[1]", status: .unprocessableContent, code: "invalid_body"),
    BadInput(
      name: "missing name", method: .post, path: "/v1/projects", body: #"{"description": "x"}"#, status: .unprocessableContent,
      code: "missing_field", field: "name"),
    BadInput(
      name: "blank name", method: .post, path: "/v1/projects", body: #"{"name": "   "}"#, status: .unprocessableContent,
      code: "invalid_field", field: "name"),
    BadInput(
      name: "name of wrong type", method: .post, path: "/v1/projects", body: #"{"name": 42}"#, status: .unprocessableContent,
      code: "invalid_field", field: "name"),
    BadInput(
      name: "name too long", method: .post, path: "/v1/projects", body: #"{"name": "\#(String(repeating: "x", count: 201))"}"#,
      status: .unprocessableContent, code: "invalid_field", field: "name"),
    BadInput(
      name: "description of wrong type", method: .post, path: "/v1/projects", body: #"{"name": "a", "description": ["x"]}"#,
      status: .unprocessableContent, code: "invalid_field", field: "description"),
    BadInput(
      name: "NUL in name", method: .post, path: "/v1/projects", body: #"{"name": "a\u0000b"}"#, status: .unprocessableContent,
      code: "invalid_field", field: "name"),
    BadInput(
      name: "unknown id", method: .get, path: "/v1/projects/9b2f4a1e-0c55-4a8e-9d7e-1f2a3b4c5d6e", status: .notFound,
      code: "project_not_found"),
    BadInput(
      name: "id that is not a UUID", method: .get, path: "/v1/projects/not-a-uuid", status: .notFound, code: "project_not_found"),
    BadInput(
      name: "update of unknown id", method: .patch, path: "/v1/projects/9b2f4a1e-0c55-4a8e-9d7e-1f2a3b4c5d6e",
      body: #"{"name": "x"}"#, status: .notFound, code: "project_not_found"),
    BadInput(
      name: "delete of unknown id", method: .delete, path: "/v1/projects/9b2f4a1e-0c55-4a8e-9d7e-1f2a3b4c5d6e", status: .notFound,
      code: "project_not_found"),
    BadInput(
      name: "bad limit", method: .get, path: "/v1/projects?limit=0", status: .unprocessableContent, code: "invalid_field",
      field: "limit"),
    BadInput(
      name: "bad cursor", method: .get, path: "/v1/projects?cursor=%%%", status: .unprocessableContent, code: "invalid_field",
      field: "cursor"),
    BadInput(
      name: "bad If-Match", method: .delete, path: "/v1/projects/9b2f4a1e-0c55-4a8e-9d7e-1f2a3b4c5d6e",
      headers: [.ifMatch: "abc"], status: .badRequest, code: "invalid_header", field: "If-Match"),
    BadInput(name: "unknown route", method: .get, path: "/v1/nothing-here", status: .notFound, code: "route_not_found"),
  ]

  @Test(arguments: badInputs)
  func badInputGetsAProblemWithAStableCode(_ input: BadInput) async throws {
    try await EdgeTestClient.withEdge { edge, _ in
      let reply = try await edge.send(input.method, input.path, json: input.body, headers: input.headers)
      #expect(reply.status == input.status)
      #expect(reply.headers[.contentType] == "application/problem+json")
      let problem = try reply.json()
      #expect(problem["code"] as? String == input.code)
      #expect(problem["status"] as? Int == Int(input.status.code))
      #expect(problem["field"] as? String == input.field)
      #expect((problem["detail"] as? String)?.isEmpty == false)
    }
  }

  @Test func bodyOverTheLimitGets413() async throws {
    try await EdgeTestClient.withEdge { edge, _ in
      let big = Data(#"{"name": "\#(String(repeating: "x", count: (1 << 20) + 10))"}"#.utf8)
      let reply = try await edge.send(.post, "/v1/projects", raw: big, headers: [.contentType: "application/json"])
      #expect(reply.status == .contentTooLarge)
      #expect(try reply.json()["code"] as? String == "payload_too_large")
      let list = try await edge.send(.get, "/v1/projects").json()
      #expect((list["items"] as? [Any])?.isEmpty == true)
    }
  }

  @Test func rejectedInputsChangeNoRow() async throws {
    try await EdgeTestClient.withEdge { edge, database in
      let id = try #require(try await edge.send(.post, "/v1/projects", json: #"{"name": "keep"}"#).json()["id"] as? String)
      for body in [#"{"name": 1}"#, #"{"name": ""}"#, "{", #"{"description": {"a": 1}}"#] {
        let reply = try await edge.send(.patch, "/v1/projects/\(id)", json: body)
        #expect(reply.status.code >= 400 && reply.status.code < 500)
      }
      let rows = try await database.query("SELECT name, lock_version FROM projects", logger: TestDatabase.logger)
      var seen: [(String, Int)] = []
      for try await row in rows.decode((String, Int).self) { seen.append(row) }
      #expect(seen.count == 1)
      #expect(seen.first?.0 == "keep")
      #expect(seen.first?.1 == 1)
    }
  }
}
