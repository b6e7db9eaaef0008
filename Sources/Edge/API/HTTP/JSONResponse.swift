import EdgeRuntime
import Foundation
import Hummingbird
import ServiceKit

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

  /// A document assembled as JSON objects (for bodies that embed protobuf JSON).
  static func make(
    object: [String: Any], status: HTTPResponse.Status, headers extra: HTTPFields = [:]
  ) throws -> Response {
    var headers = extra
    headers[.contentType] = "application/json"
    let data = try SortedJSON.data(object)
    return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
  }

  static func timestamp(_ date: Date) -> String {
    date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
  }

  private static let encoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    encoder.dateEncodingStrategy = .custom { date, encoder in
      var container = encoder.singleValueContainer()
      try container.encode(timestamp(date))
    }
    return encoder
  }()
}
