import Foundation
import Hummingbird

/// Every JSON body Edge writes: sorted keys (stable bytes for tests and caches) and ISO 8601
/// times with milliseconds.
enum JSONResponse {
  static func make(
    _ value: some Encodable, status: HTTPResponse.Status, contentType: String = "application/json",
    headers extra: HTTPFields = [:]
  ) throws -> Response {
    var headers = extra
    headers[.contentType] = contentType
    return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
  }

  private static let encoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    encoder.dateEncodingStrategy = .custom { date, encoder in
      var container = encoder.singleValueContainer()
      try container.encode(date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
    }
    return encoder
  }()
}
