import Foundation
import Hummingbird
import NIOCore

/// A form the console posted (`application/x-www-form-urlencoded`), and the JSON request
/// the API's own handler takes for it: the console is a client of the same handlers, so
/// every check, audit entry and problem is the API's.
struct ConsoleForm: Sendable {
  var fields: [(name: String, value: String)]

  static func read(_ request: Request, limit: Int) async throws -> ConsoleForm {
    let buffer: ByteBuffer
    do {
      buffer = try await request.body.collect(upTo: limit)
    } catch {
      throw Problem.payloadTooLarge(limit: limit)
    }
    return ConsoleForm(encoded: String(buffer: buffer))
  }

  init(encoded: String) {
    fields = encoded.split(separator: "&").compactMap { pair in
      let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      func decode(_ part: Substring) -> String? {
        String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
      }
      guard let name = parts.first.flatMap(decode) else { return nil }
      return (name, parts.count > 1 ? decode(parts[1]) ?? "" : "")
    }
  }

  func first(_ name: String) -> String? { fields.first { $0.name == name }?.value }

  /// Values of the fields named `prefix` + a key, by key, in form order.
  func prefixed(_ prefix: String) -> [(key: String, values: [String])] {
    var keys: [String] = []
    var values: [String: [String]] = [:]
    for field in fields where field.name.hasPrefix(prefix) {
      let key = String(field.name.dropFirst(prefix.count))
      if values[key] == nil { keys.append(key) }
      values[key, default: []].append(field.value)
    }
    return keys.map { ($0, values[$0] ?? []) }
  }

  /// The same request as a JSON POST of `object`, with `If-Match` when given.
  static func jsonRequest(like request: Request, object: [String: Any], ifMatch: String? = nil) throws -> Request {
    var head = request.head
    head.method = .post
    head.headerFields[.contentType] = "application/json"
    head.headerFields[.ifMatch] = ifMatch.map { "\"\($0)\"" }
    let data = try JSONSerialization.data(withJSONObject: object)
    return Request(head: head, body: .init(buffer: ByteBuffer(bytes: data)))
  }
}
