import EdgeRuntime
import Foundation
import Hummingbird
import ServiceKit

/// `/v1/projects`: create (the caller becomes its admin), get, list (the caller's projects,
/// cursor pagination), update and delete (admins), with optimistic locking through
/// `If-Match: <lock_version>` on writes.
package struct ProjectsController<Context: IdentifiedRequestContext>: Sendable {
  let store: ProjectStore
  let access: ProjectAccess
  let audit: AuditLog
  let maxBodyBytes: Int

  static var maxNameLength: Int { 200 }
  static var maxDescriptionLength: Int { 2000 }
  static var defaultPageSize: Int { 20 }
  static var maxPageSize: Int { 100 }

  package init(store: ProjectStore, access: ProjectAccess, audit: AuditLog, maxBodyBytes: Int) {
    self.store = store
    self.access = access
    self.audit = audit
    self.maxBodyBytes = maxBodyBytes
  }

  package func addRoutes(to group: RouterGroup<Context>) {
    group.post(use: create)
    group.get(use: list)
    group.get(":id", use: get)
    group.patch(":id", use: update)
    group.delete(":id", use: delete)
  }

  @Sendable func create(_ request: Request, context: Context) async throws -> Response {
    let body = try await JSONObjectBody.read(request, limit: maxBodyBytes)
    let name = try body.requiredString("name", maxLength: Self.maxNameLength)
    let description = try body.optionalString("description", maxLength: Self.maxDescriptionLength) ?? ""
    let allowIncomplete = try body.optionalBool("allow_incomplete_bundles") ?? false
    let fourEyes = try body.optionalBool("four_eyes") ?? false
    let project = try await store.create(
      name: name, description: description, allowIncompleteBundles: allowIncomplete, fourEyes: fourEyes,
      creator: try context.authenticated())
    try await audit.record("project.created", project: project.id, target: project.name, context: context)
    var response = try ProjectJSON.response(project, status: .created)
    response.headers[.location] = "/v1/projects/\(project.id.lowercaseString)"
    return response
  }

  @Sendable func get(_ request: Request, context: Context) async throws -> Response {
    let id = try Self.projectID(context)
    try await access.project(id, try context.authenticated(), needs: .viewer)
    guard let project = try await store.get(id) else { throw Self.notFound(id) }
    return try ProjectJSON.response(project, status: .ok)
  }

  @Sendable func list(_ request: Request, context: Context) async throws -> Response {
    let query = request.uri.queryParameters
    var limit = Self.defaultPageSize
    if let text = query["limit"] {
      guard let value = Int(String(text)), (1...Self.maxPageSize).contains(value) else {
        throw Problem.invalidField("limit", "limit must be a whole number from 1 to \(Self.maxPageSize)")
      }
      limit = value
    }
    var cursor: PageCursor?
    if let token = query["cursor"].map(String.init), !token.isEmpty {
      guard let parsed = PageCursor(token: token) else {
        throw Problem.invalidField("cursor", "cursor is not one this server issued; start again without it")
      }
      cursor = parsed
    }
    let page = try await store.list(visibleTo: try context.authenticated(), limit: limit, after: cursor)
    return try ProjectJSON.response(ProjectPage(items: page.items, nextCursor: page.next?.token), status: .ok)
  }

  @Sendable func update(_ request: Request, context: Context) async throws -> Response {
    let id = try Self.projectID(context)
    let expected = try IfMatch.lockVersion(request)
    try await access.project(id, try context.authenticated(), needs: .admin)
    let body = try await JSONObjectBody.read(request, limit: maxBodyBytes)
    let name = try body.optionalString("name", maxLength: Self.maxNameLength)
    if let name, name.isEmpty { throw Problem.invalidField("name", "\"name\" must not be blank") }
    let description = try body.optionalString("description", maxLength: Self.maxDescriptionLength)
    let allowIncomplete = try body.optionalBool("allow_incomplete_bundles")
    let fourEyes = try body.optionalBool("four_eyes")
    switch try await store.update(
      id, name: name, description: description, allowIncompleteBundles: allowIncomplete, fourEyes: fourEyes,
      expectedLockVersion: expected)
    {
    case .done(let project):
      try await audit.record(
        "project.updated", project: id,
        detail: Dictionary(uniqueKeysWithValues: body.fields.keys.sorted().map { ($0, "changed") }),
        context: context)
      return try ProjectJSON.response(project, status: .ok)
    case .notFound: throw Self.notFound(id)
    case .versionMismatch(let current): throw Problem.versionMismatch(expected: expected ?? 0, current: current)
    }
  }

  @Sendable func delete(_ request: Request, context: Context) async throws -> Response {
    let id = try Self.projectID(context)
    let expected = try IfMatch.lockVersion(request)
    try await access.project(id, try context.authenticated(), needs: .admin)
    switch try await store.delete(id, expectedLockVersion: expected) {
    case .done:
      try await audit.record("project.deleted", project: id, context: context)
      return Response(status: .noContent)
    case .notFound: throw Self.notFound(id)
    case .versionMismatch(let current): throw Problem.versionMismatch(expected: expected ?? 0, current: current)
    }
  }

  /// A path id that is not a UUID cannot name a project, so it is a 404 like any unknown id.
  static func projectID(_ context: Context) throws -> UUID {
    let text = context.parameters.get("id") ?? ""
    guard let id = UUID(uuidString: text) else {
      throw Problem.notFound("project_not_found", "no project has the id \(text.debugDescription)")
    }
    return id
  }

  static func notFound(_ id: UUID) -> Problem {
    Problem.notFound("project_not_found", "no project has the id \(id.lowercaseString)")
  }
}

struct ProjectPage: Encodable {
  var items: [Project]
  var nextCursor: String?

  enum CodingKeys: String, CodingKey {
    case items
    case nextCursor = "next_cursor"
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(items, forKey: .items)
    try container.encode(nextCursor, forKey: .nextCursor)  // explicit null on the last page
  }
}

/// JSON responses for projects, with an ETag of the lock version for one project.
enum ProjectJSON {
  static func response(_ value: some Encodable, status: HTTPResponse.Status) throws -> Response {
    var headers: HTTPFields = [:]
    if let project = value as? Project { headers[.eTag] = "\"\(project.lockVersion)\"" }
    return try JSONResponse.make(value, status: status, headers: headers)
  }
}
