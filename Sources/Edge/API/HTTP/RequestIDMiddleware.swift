import Foundation
import HTTPTypes
import Hummingbird

/// Gives every request an id: the caller's `X-Request-Id` when it is a plain token of at
/// most 128 characters, else a new UUID. It is echoed on the response and kept in the
/// audit trail.
package struct RequestIDMiddleware<Context: IdentifiedRequestContext>: RouterMiddleware {
  package init() {}

  package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
    async throws -> Response
  {
    var context = context
    let given = request.headers[.requestID] ?? ""
    context.requestID = Self.acceptable(given) ? given : UUID().uuidString.lowercased()
    do {
      var response = try await next(request, context)
      response.headers[.requestID] = context.requestID
      return response
    } catch let error as any HTTPResponseError {
      var response = try error.response(from: request, context: context)
      response.headers[.requestID] = context.requestID
      return response
    }
  }

  static func acceptable(_ id: String) -> Bool {
    (1...128).contains(id.utf8.count)
      && id.utf8.allSatisfy { byte in
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
          || byte == 0x2D || byte == 0x5F || byte == 0x2E
      }
  }
}

extension HTTPField.Name {
  static let requestID = HTTPField.Name("X-Request-Id")!
}
