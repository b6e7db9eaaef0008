import Contracts
import EdgeRuntime
import Foundation
import Hummingbird

/// The console's pages and the forms they post. A form is turned into the JSON body the
/// API's handler for the same act takes, and that handler runs as the signed-in caller.
extension ConsoleController {
  func base(_ title: String, _ signed: Signed) -> [String: Any] {
    ["title": title, "user": signed.caller.displayName, "csrf": signed.csrf]
  }

  @Sendable func projects(_ request: Request, context: Context, signed: Signed, form: ConsoleForm) async throws -> Response {
    var page = base("Projects", signed)
    page["projects"] = try await pages.projects(for: signed.caller)
    return try renderer.page("projects", page)
  }

  @Sendable func createProject(_ request: Request, context: Context, signed: Signed, form: ConsoleForm) async throws
    -> Response
  {
    var object: [String: Any] = ["name": form.first("name") ?? "", "description": form.first("description") ?? ""]
    if form.first("allow_incomplete_bundles") == "true" { object["allow_incomplete_bundles"] = true }
    let response = try await handlers.projects.create(
      try ConsoleForm.jsonRequest(like: request, object: object), context: context)
    return redirect("/console/projects/\(try await Self.id(in: response))")
  }

  @Sendable func project(_ request: Request, context: Context, signed: Signed, form: ConsoleForm) async throws -> Response {
    let id = try ProjectsController<Context>.projectID(context)
    try await pages.access.project(id, signed.caller, needs: .viewer)
    var page = base("Project", signed)
    for (key, value) in try await pages.project(id) { page[key] = value }
    return try renderer.page("project", page)
  }

  @Sendable func submit(_ request: Request, context: Context, signed: Signed, form: ConsoleForm) async throws -> Response {
    let response = try await handlers.decisionSets.create(
      try ConsoleForm.jsonRequest(like: request, object: ["brief": form.first("brief") ?? ""]), context: context)
    return redirect("/console/decision-sets/\(try await Self.id(in: response))")
  }

  @Sendable func decisionSet(_ request: Request, context: Context, signed: Signed, form: ConsoleForm) async throws
    -> Response
  {
    let id = try DecisionSetRoute.id(context)
    let projectID = try await pages.access.decisionSet(id, signed.caller, needs: .viewer)
    let role = try await pages.access.project(projectID, signed.caller, needs: .viewer)
    let artifacts = try await handlers.artifacts.list(request, context: context)
    var page = base("Decision set", signed)
    for (key, value) in try await pages.decisionSet(
      id, projectID: projectID, role: role, artifacts: try await Self.json(artifacts)["artifacts"] as? [[String: Any]] ?? [])
    {
      page[key] = value
    }
    return try renderer.page("decision_set", page)
  }

  @Sendable func answer(_ request: Request, context: Context, signed: Signed, form: ConsoleForm) async throws -> Response {
    let id = try DecisionSetRoute.id(context)
    let answers: [[String: Any]] = form.prefixed("answer.").map { key, values in
      values.count > 1 ? ["question_id": key, "values": values] : ["question_id": key, "value": values.first ?? ""]
    }
    _ = try await handlers.decisionSets.answer(
      try ConsoleForm.jsonRequest(like: request, object: ["answers": answers], ifMatch: form.first("lock_version")),
      context: context)
    return redirect("/console/decision-sets/\(id.lowercaseString)")
  }

  @Sendable func approve(_ request: Request, context: Context, signed: Signed, form: ConsoleForm) async throws -> Response {
    let id = try DecisionSetRoute.id(context)
    let inline: [[String: String]] = form.prefixed("inline.").compactMap { key, values in
      let text = values.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
      return text.isEmpty ? nil : ["path": "plan.components.\(key)", "text": text]
    }
    var object: [String: Any] = ["status": form.first("status") ?? "", "comment": form.first("comment") ?? ""]
    if !inline.isEmpty { object["inline_comments"] = inline }
    _ = try await handlers.decisionSets.approve(
      try ConsoleForm.jsonRequest(like: request, object: object, ifMatch: form.first("lock_version")), context: context)
    return redirect("/console/decision-sets/\(id.lowercaseString)")
  }

  /// A constraint corrected from the page's form (FIELD and VALUE; an empty VALUE clears it).
  @Sendable func correct(_ request: Request, context: Context, signed: Signed, form: ConsoleForm) async throws -> Response {
    let id = try DecisionSetRoute.id(context)
    let pair = "\(form.first("field") ?? "")=\(form.first("value") ?? "")"
    let object: [String: Any]
    do {
      object = try CorrectionText.body([pair], comment: form.first("comment"))
    } catch let invalid as CorrectionText.Invalid {
      throw Problem.invalidField("value", invalid.description)
    }
    _ = try await handlers.decisionSets.correct(
      try ConsoleForm.jsonRequest(like: request, object: object, ifMatch: form.first("lock_version")), context: context)
    return redirect("/console/decision-sets/\(id.lowercaseString)")
  }

  /// Another candidate picked from the review's form (`pick.<capability>`, blank for none).
  @Sendable func choose(_ request: Request, context: Context, signed: Signed, form: ConsoleForm) async throws -> Response {
    let id = try DecisionSetRoute.id(context)
    var picks: [String: String] = [:]
    for (capability, values) in form.prefixed("pick.") {
      if let option = values.first, !option.isEmpty { picks[capability] = option }
    }
    _ = try await handlers.decisionSets.choose(
      try ConsoleForm.jsonRequest(
        like: request, object: ["choices": picks, "comment": form.first("comment") ?? ""], ifMatch: form.first("lock_version")),
      context: context)
    return redirect("/console/decision-sets/\(id.lowercaseString)")
  }

  @Sendable func revise(_ request: Request, context: Context, signed: Signed, form: ConsoleForm) async throws -> Response {
    let id = try DecisionSetRoute.id(context)
    var object: [String: Any] = [:]
    if let addendum = form.first("brief_addendum"), !addendum.isEmpty { object["brief_addendum"] = addendum }
    _ = try await handlers.versions.revise(try ConsoleForm.jsonRequest(like: request, object: object), context: context)
    return redirect("/console/decision-sets/\(id.lowercaseString)")
  }

  @Sendable func changes(_ request: Request, context: Context, signed: Signed, form: ConsoleForm) async throws -> Response {
    let id = try DecisionSetRoute.id(context)
    let summary = try await Self.json(try await handlers.versions.changes(request, context: context))
    var page = base("Changes", signed)
    for (key, value) in ConsolePages.changes(summary, decisionSetID: id) { page[key] = value }
    return try renderer.page("changes", page)
  }

  /// The decision set's events for the page's script, on the session's cookie, within the
  /// same stream limits as the API's streams; a reconnect resumes after `Last-Event-ID`.
  @Sendable func events(_ request: Request, context: Context) async throws -> Response {
    guard let signed = try await signed(request) else {
      throw Problem.unauthenticated("sign in to the console first")
    }
    let id = try DecisionSetRoute.id(context)
    try await pages.access.decisionSet(id, signed.caller, needs: .viewer)
    guard let streams else { throw Problem.notFound("route_not_found", "this server does not stream events") }
    return try await streams.stream(request, context: context, id: id, caller: signed.caller.subject)
  }

  /// The JSON body of an API handler's response.
  static func json(_ response: Response) async throws -> [String: Any] {
    let collector = BodyCollector()
    try await response.body.write(collector)
    return (try? JSONSerialization.jsonObject(with: Data(buffer: collector.buffer))) as? [String: Any] ?? [:]
  }

  static func id(in response: Response) async throws -> String {
    guard let id = try await json(response)["id"] as? String else {
      throw Problem(
        status: .internalServerError, code: "internal_error", title: "Internal error", detail: "the API answered without an id")
    }
    return id
  }
}
