import EdgeRuntime
import Foundation

extension AuditLog {
  /// Records what the context's caller did, with the request's id.
  func record(
    _ action: String, project: UUID?, target: String = "", detail: [String: String] = [:],
    context: some IdentifiedRequestContext
  ) async throws {
    guard let caller = context.caller else { return }
    try await record(
      Entry(
        projectID: project, actor: caller, action: action, target: target, detail: detail,
        requestID: context.requestID))
  }
}
