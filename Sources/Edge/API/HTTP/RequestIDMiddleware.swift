import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// Gives every request an id: the caller's `X-Request-Id` when it is a plain token of at
/// most 128 characters, else a new UUID. It is echoed on the response and kept in the
/// audit trail, and every log line written while serving it carries it.
package struct RequestIDMiddleware<Context: IdentifiedRequestContext>: RouterMiddleware {
  package init() {}

  package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
    async throws -> Response
  {
    var context = context
    let given = request.headers[.requestID] ?? ""
    context.requestID = Self.acceptable(given) ? given : UUID().uuidString.lowercased()
    do {
      let requestID = context.requestID
      var response = try await WorkContext.with(WorkContext(requestID: requestID)) { try await next(request, context) }
      response.headers[.requestID] = context.requestID
      return response
    } catch let error as any HTTPResponseError {
      var response = try error.response(from: request, context: context)
      response.headers[.requestID] = context.requestID
      return response
    }
  }

  static func acceptable(_ id: String) -> Bool { WorkContext.isPlainToken(id) }
}

extension HTTPField.Name {
  static let requestID = HTTPField.Name("X-Request-Id")!
}
