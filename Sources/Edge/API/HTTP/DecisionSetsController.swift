import Contracts
import EdgeRuntime
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceKit
import SwiftProtobuf

/// Decision sets: create (which starts the run), read, the event timeline, answers to the
/// follow-up questions, and the reviewer's approval or rejection (refused to the version's
/// submitter when the project asks for four eyes). Every route checks the caller's role in
/// the decision set's project first.
package struct DecisionSetsController<Context: IdentifiedRequestContext>: Sendable {
  let store: DecisionSetStore
  let projects: ProjectStore
  let access: ProjectAccess
  let audit: AuditLog
  let maxBodyBytes: Int

  static var maxBriefLength: Int { InputLimits.briefCharacters }
  static var maxCommentLength: Int { InputLimits.commentCharacters }

  package init(
    store: DecisionSetStore, projects: ProjectStore, access: ProjectAccess, audit: AuditLog, maxBodyBytes: Int
  ) {
    self.store = store
    self.projects = projects
    self.access = access
    self.audit = audit
    self.maxBodyBytes = maxBodyBytes
  }

  package func addRoutes(to v1: RouterGroup<Context>) {
    v1.post("projects/:id/decision-sets", use: create)
    let sets = v1.group("decision-sets")
    sets.get(":id", use: get)
    sets.get(":id/events", use: events)
    sets.post(":id/answers", use: answer)
    sets.post(":id/approve", use: approve)
    sets.patch(":id/constraints", use: correct)
    sets.patch(":id/plan", use: choose)
  }

  @Sendable func create(_ request: Request, context: Context) async throws -> Response {
    let projectText = context.parameters.get("id") ?? ""
    guard let projectID = UUID(uuidString: projectText) else {
      throw Problem.notFound("project_not_found", "no project has the id \(projectText.debugDescription)")
    }
    let caller = try context.authenticated()
    try await access.project(projectID, caller, needs: .editor)
    let body = try await JSONObjectBody.read(request, limit: maxBodyBytes)
    let brief = try body.requiredString("brief", maxLength: Self.maxBriefLength)
    let overrides = try Self.constraints(body.fields["constraints"], field: "constraints")
    do {
      let row = try await store.create(
        projectID: projectID, brief: brief, overrides: overrides, submittedBy: caller.subject)
      try await audit.record(
        "decision_set.submitted", project: projectID, target: row.id.lowercaseString, detail: ["version": "1"],
        context: context)
      return try JSONResponse.make(
        object: DecisionSetJSON.summary(row), status: .accepted, headers: [.location: DecisionSetJSON.links(row.id)["self"]!])
    } catch let spent as BudgetStore.Exhausted {
      throw Problem.budgetExhausted(spent.use)
    } catch DecisionSetStore.CreateError.projectNotFound {
      throw Problem.notFound("project_not_found", "no project has the id \(projectID.lowercaseString)")
    }
  }

  @Sendable func get(_ request: Request, context: Context) async throws -> Response {
    let id = try DecisionSetRoute.id(context)
    try await access.decisionSet(id, try context.authenticated(), needs: .viewer)
    guard let found = try await store.get(id) else { throw DecisionSetRoute.notFound(id) }
    return try JSONResponse.make(
      object: try DecisionSetJSON.detail(found.row, state: found.state), status: .ok,
      headers: [.eTag: "\"\(found.row.lockVersion)\""])
  }

  @Sendable func events(_ request: Request, context: Context) async throws -> Response {
    let id = try DecisionSetRoute.id(context)
    try await access.decisionSet(id, try context.authenticated(), needs: .viewer)
    let page = try AfterPage.read(request, item: "an event id")
    let events = try await store.events(of: id, after: page.after, limit: page.limit)
    return try JSONResponse.make(
      object: [
        "items": try events.map(DecisionSetJSON.event),
        "next_after": events.count == page.limit ? (events.last.map { $0.id as Any } ?? NSNull()) : NSNull(),
      ], status: .ok)
  }

  @Sendable func answer(_ request: Request, context: Context) async throws -> Response {
    let (id, caller, projectID, expected, body) = try await input(request, context, needs: .editor)
    guard case .array(let items)? = body.fields["answers"] else {
      throw body.fields["answers"] == nil
        ? Problem.missingField("answers") : Problem.invalidField("answers", "answers must be an array")
    }
    let found = try await waiting(id, for: .waitingForAnswers, expected: expected)
    let answeredAt = Date().formatted(.iso8601)
    let answers = try AnswerValidation.validate(items, against: found.state?.openQuestions ?? []).map { answer in
      var answer = answer
      answer.answeredBy = caller.displayName
      answer.answeredAt = answeredAt
      return answer
    }
    let row = try await applying(found.row) {
      try await store.answer(id, expected: found.row.lockVersion, answers: answers)
    }
    try await audit.record(
      "decision_set.answered", project: projectID, target: id.lowercaseString,
      detail: ["questions": answers.map(\.questionID).joined(separator: ",")], context: context)
    return try accepted(row)
  }

  @Sendable func approve(_ request: Request, context: Context) async throws -> Response {
    let (id, caller, projectID, expected, body) = try await input(request, context, needs: .reviewer)
    let decision = try body.requiredString("status", maxLength: 20)
    guard decision == "approved" || decision == "rejected" else {
      throw Problem.invalidField("status", "status must be \"approved\" or \"rejected\"")
    }
    let comment = try body.optionalString("comment", maxLength: Self.maxCommentLength) ?? ""
    let inline = try Self.inlineComments(body.fields["inline_comments"])
    let found = try await waiting(id, for: .waitingForApproval, expected: expected)
    if decision == "approved", found.row.submittedBy == caller.subject,
      try await projects.get(projectID)?.fourEyes == true
    {
      throw Problem.forbidden(
        "this project asks for four eyes: you submitted version \(found.row.version), so another reviewer approves it")
    }
    let approval = Mlops_V1_Approval.with {
      $0.status = decision == "approved" ? .approved : .rejected
      $0.comment = comment
      $0.inlineComments = inline
      $0.reviewer = caller.displayName
      $0.decidedAt = Date().formatted(.iso8601)
    }
    let row = try await applying(found.row) {
      try await store.decide(id, expected: found.row, approval: approval, reviewer: caller)
    }
    try await audit.record(
      "decision_set.\(decision)", project: projectID, target: id.lowercaseString,
      detail: ["version": String(found.row.version)], context: context)
    return try accepted(row)
  }

  /// A correction of the constraints while the run waits for answers or approval: fields
  /// set (checked as overrides are) or cleared; the run plans again within the version.
  @Sendable func correct(_ request: Request, context: Context) async throws -> Response {
    let (id, caller, projectID, expected, body) = try await input(request, context, needs: .editor)
    try body.onlyFields(["set", "clear", "comment"], in: "a constraints correction")
    let set = try Self.constraints(body.fields["set"], field: "set") ?? Mlops_V1_Constraints()
    if !set.reviewNotes.isEmpty {
      throw Problem.invalidField("set", "review_notes come from the review; they cannot be set here")
    }
    let clear = try Self.clearedFields(body.fields["clear"])
    let comment = try body.optionalString("comment", maxLength: Self.maxCommentLength) ?? ""
    let found = try await waiting(id, for: .waitingForAnswers, .waitingForApproval, expected: expected)
    let row: DecisionSetStore.Row
    do {
      row = try await applying(found.row) {
        try await store.correct(
          id, expected: found.row.lockVersion, correction: ConstraintCorrection(set: set, clear: clear),
          by: caller.displayName, comment: comment)
      }
    } catch is DecisionSetStore.NothingToCorrect {
      throw Problem(
        status: .unprocessableContent, code: "nothing_to_correct", title: "Nothing to correct",
        detail: "the correction sets every field to what it already is and clears nothing that is set", field: "set")
    }
    try await audit.record(
      "decision_set.constraints_corrected", project: projectID, target: id.lowercaseString,
      detail: ["version": String(found.row.version)], context: context)
    return try accepted(row)
  }

  /// At the gate, another of the candidates the planner weighed for a capability: critics
  /// and policy run again on the changed plan, within the version.
  @Sendable func choose(_ request: Request, context: Context) async throws -> Response {
    let (id, caller, projectID, expected, body) = try await input(request, context, needs: .reviewer)
    try body.onlyFields(["choices", "comment"], in: "a choice of candidates")
    guard case .object(let given)? = body.fields["choices"], !given.isEmpty, given.count <= 8 else {
      throw body.fields["choices"] == nil
        ? Problem.missingField("choices")
        : Problem.invalidField("choices", "choices must be an object of 1 to 8 capability: option pairs")
    }
    var picks: [String: String] = [:]
    for (capability, value) in given {
      guard case .string(let option) = value, InputLimits.isName(option, max: 64), InputLimits.isName(capability, max: 64) else {
        throw Problem.invalidField(
          "choices", "each choice is a capability name and an option id, such as \"serve\": \"ecs_fargate_service\"")
      }
      picks[capability] = option
    }
    let comment = try body.optionalString("comment", maxLength: Self.maxCommentLength) ?? ""
    let found = try await waiting(id, for: .waitingForApproval, expected: expected)
    let row: DecisionSetStore.Row
    do {
      row = try await applying(found.row) {
        try await store.choose(id, expected: found.row.lockVersion, picks: picks, by: caller.displayName, comment: comment)
      }
    } catch let refused as CandidatePick.Refused {
      throw Problem(
        status: .unprocessableContent, code: "not_a_candidate", title: "Not a candidate", detail: refused.description,
        field: "choices.\(refused.capability)")
    }
    try await audit.record(
      "decision_set.candidate_chosen", project: projectID, target: id.lowercaseString,
      detail: [
        "version": String(found.row.version),
        "choices": picks.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","),
      ],
      context: context)
    return try accepted(row)
  }

  /// `clear`: names of Constraints fields, each at most once.
  static func clearedFields(_ value: JSONValue?) throws(Problem) -> [String] {
    guard let value, value != .null else { return [] }
    guard case .array(let items) = value else { throw Problem.invalidField("clear", "clear must be an array of field names") }
    var names: [String] = []
    for (index, item) in items.enumerated() {
      guard case .string(let name) = item, ConstraintCorrection.editableFields.contains(name) else {
        throw Problem.invalidField(
          "clear[\(index)]", "clear names Constraints fields: \(ConstraintCorrection.editableFields.joined(separator: ", "))")
      }
      if !names.contains(name) { names.append(name) }
    }
    return names
  }

  // MARK: Helpers

  /// What every input to a run starts from: the decision set, the caller (checked to hold
  /// `role` in its project), the project, the `If-Match` version and the JSON body.
  private func input(
    _ request: Request, _ context: Context, needs role: Role
  ) async throws -> (id: UUID, caller: Caller, projectID: UUID, expected: Int?, body: JSONObjectBody) {
    let id = try DecisionSetRoute.id(context)
    let caller = try context.authenticated()
    let projectID = try await access.decisionSet(id, caller, needs: role)
    let expected = try IfMatch.lockVersion(request)
    let body = try await JSONObjectBody.read(request, limit: maxBodyBytes)
    return (id, caller, projectID, expected, body)
  }

  /// The decision set, checked to be waiting in one of `statuses` and at the `If-Match` version.
  private func waiting(
    _ id: UUID, for statuses: Mlops_V1_RunStatus..., expected: Int?
  ) async throws -> (row: DecisionSetStore.Row, state: Mlops_V1_DecisionState?) {
    guard let found = try await store.get(id) else { throw DecisionSetRoute.notFound(id) }
    if let expected, expected != found.row.lockVersion {
      throw Problem.versionMismatch(expected: expected, current: found.row.lockVersion)
    }
    guard statuses.contains(where: { $0.apiName == found.row.status }) else {
      throw Problem(
        status: .conflict, code: "not_waiting", title: "Not waiting",
        detail:
          "decision set \(id.lowercaseString) is \(found.row.status), not \(statuses.map(\.apiName).joined(separator: " or "))")
    }
    return found
  }

  /// Runs the store's input call, its refusals as problems: a concurrent change (another
  /// answer, another approval) is a 412, a run that is not waiting a 409.
  private func applying(
    _ row: DecisionSetStore.Row, _ input: () async throws -> DecisionSetStore.Row
  ) async throws -> DecisionSetStore.Row {
    do {
      return try await input()
    } catch DecisionSetStore.InputError.lockVersionChanged(let expected) {
      throw Problem.versionMismatch(expected: expected, current: expected + 1)
    } catch let error as GraphError {
      switch error {
      case .stillWaiting(_, let reason):
        throw Problem(
          status: .unprocessableContent, code: "still_waiting", title: "More input needed",
          detail: "these answers do not yet reply to every open question; the run still waits for \(reason.rawValue)",
          field: "answers")
      default:
        throw Problem(status: .conflict, code: "not_waiting", title: "Not waiting", detail: error.description)
      }
    }
  }

  /// 202 with the decision set as the request's own transaction left it.
  private func accepted(_ row: DecisionSetStore.Row) throws -> Response {
    try JSONResponse.make(
      object: DecisionSetJSON.summary(row), status: .accepted, headers: [.eTag: "\"\(row.lockVersion)\""])
  }

  /// Optional constraint overrides, in the `Constraints` message's JSON form.
  /// Numbers must be finite and in their documented ranges (`InputLimits`): protobuf JSON
  /// accepts `"NaN"` and `"Infinity"` for doubles, which no later step could use.
  static func constraints(_ value: JSONValue?, field: String) throws(Problem) -> Mlops_V1_Constraints? {
    guard let value, value != .null else { return nil }
    guard case .object = value else { throw Problem.invalidField(field, "\(field) must be an object") }
    let constraints: Mlops_V1_Constraints
    do {
      let data = try JSONEncoder().encode(value)
      constraints = try Mlops_V1_Constraints(jsonUTF8Data: data, options: ProtoJSON.decoding)
    } catch {
      throw Problem.invalidField(field, "\(field) do not match the Constraints schema: \(error)")
    }
    let violations = constraints.violations(at: field)
    if let first = violations.first {
      throw Problem(
        status: .unprocessableContent, code: "out_of_range", title: "Value out of range", detail: violations.summary,
        field: first.field)
    }
    return constraints
  }

  static func inlineComments(_ value: JSONValue?) throws(Problem) -> [Mlops_V1_InlineComment] {
    guard let value, value != .null else { return [] }
    guard case .array(let items) = value else {
      throw Problem.invalidField("inline_comments", "inline_comments must be an array of {path, text}")
    }
    guard items.count <= InputLimits.inlineComments else {
      throw Problem.invalidField("inline_comments", "send at most \(InputLimits.inlineComments) inline comments")
    }
    var comments: [Mlops_V1_InlineComment] = []
    for (index, item) in items.enumerated() {
      guard case .object(let object) = item, case .string(let path)? = object["path"],
        case .string(let text)? = object["text"]
      else {
        throw Problem.invalidField("inline_comments[\(index)]", "each inline comment needs a string path and text")
      }
      if let problem = InputLimits.textProblem(path, maxCharacters: InputLimits.inlineCommentPathCharacters) {
        throw Problem.invalidField("inline_comments[\(index)].path", "the path \(problem)")
      }
      if let problem = InputLimits.textProblem(text, maxCharacters: InputLimits.commentCharacters) {
        throw Problem.invalidField("inline_comments[\(index)].text", "the text \(problem)")
      }
      comments.append(
        .with {
          $0.path = path
          $0.text = text
        })
    }
    return comments
  }
}
