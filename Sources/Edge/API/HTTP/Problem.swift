import EdgeRuntime
import Foundation
import Hummingbird

/// An RFC 9457 `application/problem+json` error with a stable machine-readable `code`.
/// Clients branch on `code`; `title` and `detail` are for people.
package struct Problem: HTTPResponseError, Equatable {
  package var status: HTTPResponse.Status
  package var code: String
  package var title: String
  package var detail: String
  /// The request field at fault, for validation errors.
  package var field: String?
  /// Sent as `Retry-After` (503, 429).
  package var retryAfterSeconds: Int?
  /// More headers for the response (`RateLimit`, `RateLimit-Policy` on a 429).
  package var headers: HTTPFields
  /// Members beyond RFC 9457's, e.g. the budget a 429 `budget_exhausted` names.
  package var extensions: [String: ProblemValue]

  package init(
    status: HTTPResponse.Status, code: String, title: String, detail: String, field: String? = nil,
    retryAfterSeconds: Int? = nil, headers: HTTPFields = [:], extensions: [String: ProblemValue] = [:]
  ) {
    self.status = status
    self.code = code
    self.title = title
    self.detail = detail
    self.field = field
    self.retryAfterSeconds = retryAfterSeconds
    self.headers = headers
    self.extensions = extensions
  }

  package func response(from request: Request, context: some RequestContext) throws -> Response {
    var body: [String: ProblemValue] = [
      "type": .string("/problems/\(code)"),
      "title": .string(title),
      "status": .int(status.code),
      "detail": .string(detail),
      "code": .string(code),
      "instance": .string(request.uri.path),
    ]
    if let field { body["field"] = .string(field) }
    for (key, value) in extensions where body[key] == nil { body[key] = value }
    var response = try JSONResponse.make(body, status: status, contentType: "application/problem+json")
    if let retryAfterSeconds { response.headers[.retryAfter] = String(retryAfterSeconds) }
    response.headers.append(contentsOf: headers)
    if status == .unauthorized {
      response.headers[.wwwAuthenticate] = #"Bearer realm="mlops", error="invalid_token""#
    }
    return response
  }

  package enum ProblemValue: Encodable, Equatable, Sendable {
    case string(String)
    case int(Int)
    package func encode(to encoder: any Encoder) throws {
      var container = encoder.singleValueContainer()
      switch self {
      case .string(let value): try container.encode(value)
      case .int(let value): try container.encode(value)
      }
    }
  }
}

extension Problem {
  /// 401 with `WWW-Authenticate: Bearer` (RFC 6750): no token, or one that did not verify.
  package static func unauthenticated(_ detail: String) -> Problem {
    Problem(status: .unauthorized, code: "unauthenticated", title: "Unauthenticated", detail: detail)
  }

  /// 403: the caller is known, and may see the project, but their role does not allow this.
  package static func forbidden(_ detail: String) -> Problem {
    Problem(status: .forbidden, code: "forbidden", title: "Forbidden", detail: detail)
  }

  package static func malformedJSON(_ detail: String) -> Problem {
    Problem(status: .badRequest, code: "malformed_json", title: "Malformed JSON", detail: detail)
  }

  package static func invalidField(_ field: String, _ detail: String) -> Problem {
    Problem(status: .unprocessableContent, code: "invalid_field", title: "Invalid field", detail: detail, field: field)
  }

  package static func missingField(_ field: String) -> Problem {
    Problem(
      status: .unprocessableContent, code: "missing_field", title: "Missing field",
      detail: "the field \(field.debugDescription) is required", field: field)
  }

  package static func notFound(_ code: String, _ detail: String) -> Problem {
    Problem(status: .notFound, code: code, title: "Not found", detail: detail)
  }

  package static func payloadTooLarge(limit: Int) -> Problem {
    Problem(
      status: .contentTooLarge, code: "payload_too_large", title: "Payload too large",
      detail: "the request body is larger than \(limit) bytes")
  }

  package static func versionMismatch(expected: Int, current: Int) -> Problem {
    Problem(
      status: .preconditionFailed, code: "version_mismatch", title: "Version mismatch",
      detail: "If-Match names lock_version \(expected) but the current lock_version is \(current); fetch it again and retry")
  }

  package static func invalidHeader(_ name: String, _ detail: String) -> Problem {
    Problem(status: .badRequest, code: "invalid_header", title: "Invalid header", detail: detail, field: name)
  }
}
