import Foundation
import Hummingbird

/// An RFC 9457 `application/problem+json` error with a stable machine-readable `code`.
/// Clients branch on `code`; `title` and `detail` are for people.
public struct Problem: HTTPResponseError, Equatable {
  public var status: HTTPResponse.Status
  public var code: String
  public var title: String
  public var detail: String
  /// The request field at fault, for validation errors.
  public var field: String?
  /// Sent as `Retry-After` (503, 429).
  public var retryAfterSeconds: Int?

  public init(
    status: HTTPResponse.Status, code: String, title: String, detail: String, field: String? = nil,
    retryAfterSeconds: Int? = nil
  ) {
    self.status = status
    self.code = code
    self.title = title
    self.detail = detail
    self.field = field
    self.retryAfterSeconds = retryAfterSeconds
  }

  public func response(from request: Request, context: some RequestContext) throws -> Response {
    var body: [String: ProblemValue] = [
      "type": .string("/problems/\(code)"),
      "title": .string(title),
      "status": .int(status.code),
      "detail": .string(detail),
      "code": .string(code),
      "instance": .string(request.uri.path),
    ]
    if let field { body["field"] = .string(field) }
    var response = try JSONResponse.make(body, status: status, contentType: "application/problem+json")
    if let retryAfterSeconds { response.headers[.retryAfter] = String(retryAfterSeconds) }
    return response
  }

  private enum ProblemValue: Encodable {
    case string(String)
    case int(Int)
    func encode(to encoder: any Encoder) throws {
      var container = encoder.singleValueContainer()
      switch self {
      case .string(let value): try container.encode(value)
      case .int(let value): try container.encode(value)
      }
    }
  }
}

extension Problem {
  public static func malformedJSON(_ detail: String) -> Problem {
    Problem(status: .badRequest, code: "malformed_json", title: "Malformed JSON", detail: detail)
  }

  public static func invalidField(_ field: String, _ detail: String) -> Problem {
    Problem(status: .unprocessableContent, code: "invalid_field", title: "Invalid field", detail: detail, field: field)
  }

  public static func missingField(_ field: String) -> Problem {
    Problem(
      status: .unprocessableContent, code: "missing_field", title: "Missing field",
      detail: "the field \(field.debugDescription) is required", field: field)
  }

  public static func notFound(_ code: String, _ detail: String) -> Problem {
    Problem(status: .notFound, code: code, title: "Not found", detail: detail)
  }

  public static func payloadTooLarge(limit: Int) -> Problem {
    Problem(
      status: .contentTooLarge, code: "payload_too_large", title: "Payload too large",
      detail: "the request body is larger than \(limit) bytes")
  }

  public static func versionMismatch(expected: Int, current: Int) -> Problem {
    Problem(
      status: .preconditionFailed, code: "version_mismatch", title: "Version mismatch",
      detail: "If-Match names lock_version \(expected) but the current lock_version is \(current); fetch it again and retry")
  }

  public static func invalidHeader(_ name: String, _ detail: String) -> Problem {
    Problem(status: .badRequest, code: "invalid_header", title: "Invalid header", detail: detail, field: name)
  }
}
