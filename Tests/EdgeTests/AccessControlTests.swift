import EdgeRuntime
import Foundation
import HTTPTypes
import PostgresNIO
import TestSupport
import Testing

/// Who may do what, checked route by route from the served `openapi.yaml` (so a route added
/// to the document is covered by itself): no token is a 401 everywhere under `/v1`; a caller
/// who is not a member of the project gets 404, as for an id that does not exist; a member
/// one role below the operation's `x-mlops-role` gets 403; a member with that role gets past
/// the check. Then four eyes, the audit trail and listing only the caller's projects.
struct AccessControlTests {
  struct Operation: CustomStringConvertible {
    var method: HTTPRequest.Method
    var path: String
    var role: Role?
    var description: String { "\(method) \(path)" }
  }

  /// The operations of an OpenAPI document as this project writes it: paths at two spaces,
  /// methods at four, `x-mlops-role` at six.
  static func operations(_ document: String) -> [Operation] {
    var operations: [Operation] = []
    var path: String?
    for line in document.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
        path = String(line.dropFirst(2).dropLast())
      } else if !line.hasPrefix(" "), !line.isEmpty {
        path = line.hasPrefix("paths:") ? path : nil
      } else if let path, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"),
        let method = HTTPRequest.Method(String(line.dropFirst(4).dropLast()).uppercased()),
        ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(method.rawValue)
      {
        operations.append(Operation(method: method, path: path))
      } else if line.hasPrefix("      x-mlops-role: "), !operations.isEmpty {
        operations[operations.count - 1].role = Role(rawValue: String(line.dropFirst("      x-mlops-role: ".count)))
      }
    }
    return operations
  }

  static func below(_ role: Role) -> Role? {
    let index = Role.allCases.firstIndex(of: role)!
    return index == 0 ? nil : Role.allCases[index - 1]
  }

  static func id(_ reply: EdgeTestClient.Reply) throws -> String {
    try #require(try reply.json()["id"] as? String, "\(String(decoding: reply.body, as: UTF8.self))")
  }

  /// A project of the default user's with a decision set in it, and a member for each role
  /// below admin (`as-viewer`, `as-editor`, `as-reviewer`).
  static func seed(_ edge: EdgeTestClient) async throws -> (project: String, decisionSet: String, viewerMember: String) {
    let project = try id(await edge.send(.post, "/v1/projects", json: #"{"name": "guarded"}"#))
    let decisionSet = try id(
      await edge.send(.post, "/v1/projects/\(project)/decision-sets", json: #"{"brief": "fraud scoring"}"#))
    var viewerMember = ""
    for role in [Role.viewer, .editor, .reviewer] {
      let put = try await edge.send(
        .put, "/v1/projects/\(project)/members",
        json: #"{"kind": "user", "principal": "as-\#(role.rawValue)", "role": "\#(role.rawValue)"}"#)
      #expect(put.status == .ok, "\(String(decoding: put.body, as: UTF8.self))")
      if role == .viewer { viewerMember = try id(put) }
    }
    return (project, decisionSet, viewerMember)
  }

  @Test func everyDocumentedRouteChecksTheTokenTheProjectAndTheRole() async throws {
    try await EdgeTestClient.withEdge { edge, _ in
      let document = try await edge.send(.get, "/openapi.yaml", as: nil)
      let operations = Self.operations(String(decoding: document.body, as: UTF8.self))
      let guarded = operations.filter { $0.path.hasPrefix("/v1/") }
      #expect(guarded.count >= 20, "\(operations)")
      #expect(guarded.filter { $0.role != nil }.count >= 17, "every project-scoped operation names its role")
      let (project, decisionSet, member) = try await Self.seed(edge)
      // The stranger is a user with a project of their own, not a member of this one.
      _ = try await edge.send(.post, "/v1/projects", json: #"{"name": "elsewhere"}"#, as: "stranger")
      func uri(_ path: String) -> String {
        path.replacingOccurrences(of: "{project_id}", with: project)
          .replacingOccurrences(of: "{decision_set_id}", with: decisionSet)
          .replacingOccurrences(of: "{member_id}", with: member)
      }
      var checked = 0
      for operation in guarded {
        let body: String? = operation.method == .get || operation.method == .delete ? nil : "{}"
        let anonymous = try await edge.send(operation.method, uri(operation.path), json: body, as: nil)
        #expect(anonymous.status == .unauthorized, "\(operation) without a token")
        #expect(try anonymous.json()["code"] as? String == "unauthenticated", "\(operation)")
        #expect(anonymous.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true, "\(operation)")
        let forged = try await edge.send(
          operation.method, uri(operation.path), json: body,
          headers: [.authorization: "Bearer " + (try await TestIdentity.make().token())])
        #expect(forged.status == .unauthorized, "\(operation) with a token from another key")
        checked += 2
        guard let role = operation.role else { continue }
        let stranger = try await edge.send(operation.method, uri(operation.path), json: body, as: "stranger")
        // The same 404 as an id that does not exist, not one the route itself would give.
        let missing = operation.path.contains("{decision_set_id}") ? "decision_set_not_found" : "project_not_found"
        #expect(stranger.status == .notFound, "\(operation) by a non-member: \(stranger.status)")
        #expect(try stranger.json()["code"] as? String == missing, "\(operation) by a non-member")
        checked += 1
        if let lower = Self.below(role) {
          let refused = try await edge.send(operation.method, uri(operation.path), json: body, as: "as-\(lower.rawValue)")
          #expect(refused.status == .forbidden, "\(operation) by a \(lower.rawValue): \(refused.status)")
          #expect(try refused.json()["code"] as? String == "forbidden", "\(operation)")
          checked += 1
        }
        // Deletes would take the seed away from the operations after them; their role is
        // checked above, and the admin's delete by the project tests.
        guard operation.method != .delete, !operation.path.hasSuffix("/stream") else { continue }
        let user = role == .admin ? TestIdentity.defaultUser : "as-\(role.rawValue)"
        let allowed = try await edge.send(operation.method, uri(operation.path), json: body, as: user)
        // A 404 of the operation's own (no published version yet) is past the check.
        let code = (try? allowed.json()["code"] as? String) ?? ""
        #expect(
          ![.unauthorized, .forbidden].contains(allowed.status)
            && !["project_not_found", "decision_set_not_found", "route_not_found"].contains(code),
          "\(operation) by a \(role.rawValue): \(allowed.status) \(String(decoding: allowed.body, as: UTF8.self))")
      }
      Swift.print("access control: \(guarded.count) operations, \(checked) refusals checked")
    }
  }

  @Test func aCallerListsOnlyTheirProjectsAndGroupsGrantRoles() async throws {
    try await EdgeTestClient.withEdge { edge, _ in
      let mine = try Self.id(await edge.send(.post, "/v1/projects", json: #"{"name": "mine"}"#))
      let theirs = try Self.id(await edge.send(.post, "/v1/projects", json: #"{"name": "theirs"}"#, as: "other"))
      let listed = try await edge.send(.get, "/v1/projects").json()["items"] as? [[String: Any]] ?? []
      #expect(listed.compactMap { $0["id"] as? String } == [mine])
      #expect(try await edge.send(.get, "/v1/projects/\(theirs)").status == .notFound)

      // A group the token carries: its members hold the group's role, and nothing more.
      let granted = try await edge.send(
        .put, "/v1/projects/\(theirs)/members", json: #"{"kind": "group", "principal": "ml-reviewers", "role": "reviewer"}"#,
        as: "other")
      #expect(granted.status == .ok)
      let grouped: HTTPFields = [.authorization: try await edge.identity.bearer("gina", groups: ["ml-reviewers"])]
      #expect(try await edge.send(.get, "/v1/projects/\(theirs)", headers: grouped).status == .ok)
      #expect(try await edge.send(.delete, "/v1/projects/\(theirs)", headers: grouped).status == .forbidden)
      let gina = try await edge.send(.get, "/v1/projects", headers: grouped).json()["items"] as? [[String: Any]] ?? []
      #expect(gina.compactMap { $0["id"] as? String } == [theirs])

      // The last user admin stays: a project always has someone who can manage it.
      let members =
        try await edge.send(.get, "/v1/projects/\(theirs)/members", as: "other").json()["items"]
        as? [[String: Any]] ?? []
      let admin = try #require(members.first { $0["principal"] as? String == "other" }?["id"] as? String)
      let demote = try await edge.send(
        .put, "/v1/projects/\(theirs)/members", json: #"{"kind": "user", "principal": "other", "role": "viewer"}"#,
        as: "other")
      #expect(demote.status == .conflict)
      #expect(try demote.json()["code"] as? String == "last_admin")
      #expect(try await edge.send(.delete, "/v1/projects/\(theirs)/members/\(admin)", as: "other").status == .conflict)
    }
  }

  @Test func fourEyesRefusesTheSubmittersApprovalAndTheReviewerIsRecorded() async throws {
    try await EdgeTestClient.withEdge { edge, client in
      let project = try Self.id(await edge.send(.post, "/v1/projects", json: #"{"name": "4e", "four_eyes": true}"#))
      _ = try await edge.send(
        .put, "/v1/projects/\(project)/members", json: #"{"kind": "user", "principal": "rita", "role": "reviewer"}"#)
      let id = try Self.id(await edge.send(.post, "/v1/projects/\(project)/decision-sets", json: #"{"brief": "b"}"#))
      #expect(try await DecisionSetsAPITests.runPendingJob(client) == .waiting(.answers))
      let answered = try await edge.send(
        .post, "/v1/decision-sets/\(id)/answers", json: #"{"answers": [{"question_id": "q-budget", "value": "3000"}]}"#)
      #expect(answered.status == .accepted)
      #expect(try await DecisionSetsAPITests.runPendingJob(client) == .waiting(.approval))

      // The submitter is the project's admin, and so a reviewer too, but not of their own version.
      let own = try await edge.send(.post, "/v1/decision-sets/\(id)/approve", json: #"{"status": "approved"}"#)
      #expect(own.status == .forbidden)
      #expect(try own.json()["code"] as? String == "forbidden")
      #expect((try own.json()["detail"] as? String)?.contains("four eyes") == true)

      let rita: HTTPFields = [.authorization: "Bearer " + (try await edge.identity.token("rita", name: "Rita Reviewer"))]
      let approved = try await edge.send(
        .post, "/v1/decision-sets/\(id)/approve", json: #"{"status": "approved", "comment": "ok"}"#, headers: rita)
      #expect(approved.status == .accepted, "\(String(decoding: approved.body, as: UTF8.self))")
      let rows = try await client.query(
        "SELECT reviewer, reviewer_name FROM approvals WHERE decision_set_id = \(UUID(uuidString: id)!)",
        logger: TestDatabase.logger)
      var reviewers: [String] = []
      for try await (subject, name) in rows.decode((String, String).self) { reviewers.append("\(subject)|\(name)") }
      #expect(reviewers == ["rita|Rita Reviewer"])
      #expect(try await DecisionSetsAPITests.runPendingJob(client) == .ended(.completed))
      let state = try await edge.send(.get, "/v1/decision-sets/\(id)", as: "rita").json()
      _ = state

      // Every act is in the trail, with who did it and the request id; only admins read it.
      #expect(try await edge.send(.get, "/v1/projects/\(project)/audit", as: "rita").status == .forbidden)
      let trail = try await edge.send(.get, "/v1/projects/\(project)/audit", headers: [.init("X-Request-Id")!: "trace-me-1"])
      #expect(trail.headers[.init("X-Request-Id")!] == "trace-me-1")
      let entries = try #require(try trail.json()["items"] as? [[String: Any]])
      #expect(
        entries.compactMap { $0["action"] as? String } == [
          "project.created", "member.set", "decision_set.submitted", "decision_set.answered", "decision_set.approved",
        ])
      #expect(entries.last?["actor"] as? String == "rita")
      #expect(entries.last?["actor_name"] as? String == "Rita Reviewer")
      #expect(entries.allSatisfy { ($0["request_id"] as? String)?.isEmpty == false })
    }
  }
}

/// `mlops token --project P --role R`: the local issuer's token grants a role in one project
/// without a membership; an OIDC issuer's tokens cannot (the claim is read only from local ones).
struct TokenProjectRoleTests {
  @Test func aLocalTokenGrantsItsRoleInItsProjectOnly() async throws {
    try await EdgeTestClient.withEdge { edge, _ in
      let project = try AccessControlTests.id(await edge.send(.post, "/v1/projects", json: #"{"name": "granted"}"#))
      let other = try AccessControlTests.id(await edge.send(.post, "/v1/projects", json: #"{"name": "not granted"}"#))
      let id = try AccessControlTests.id(
        await edge.send(.post, "/v1/projects/\(project)/decision-sets", json: #"{"brief": "b"}"#))
      let token = try await edge.identity.issuer.mint(
        subject: "ci-bot", projectRoles: [UUID(uuidString: project)!: .editor], audience: "mlops", ttl: .seconds(60))
      let bot: HTTPFields = [.authorization: "Bearer \(token)"]
      let listed = try await edge.send(.get, "/v1/projects", headers: bot).json()["items"] as? [[String: Any]] ?? []
      #expect(listed.compactMap { $0["id"] as? String } == [project])
      #expect(try await edge.send(.get, "/v1/decision-sets/\(id)", headers: bot).status == .ok)
      let submitted = try await edge.send(
        .post, "/v1/projects/\(project)/decision-sets", json: #"{"brief": "another"}"#, headers: bot)
      #expect(submitted.status == .accepted)
      #expect(try await edge.send(.post, "/v1/decision-sets/\(id)/approve", json: "{}", headers: bot).status == .forbidden)
      #expect(try await edge.send(.get, "/v1/projects/\(other)", headers: bot).status == .notFound)
    }
  }
}
