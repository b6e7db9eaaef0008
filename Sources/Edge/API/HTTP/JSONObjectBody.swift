import EdgeRuntime
import Foundation
import Hummingbird
import NIOCore

/// A request body that must be one JSON object, read with a size limit and validated field
/// by field, so every rejection says which field and why.
package struct JSONObjectBody: Sendable {
  package let fields: [String: JSONValue]

  package init(fields: [String: JSONValue]) {
    self.fields = fields
  }

  /// Reads at most `limit` bytes (413 past that), then parses (400 if not JSON, 422 if not an object).
  package static func read(_ request: Request, limit: Int) async throws -> JSONObjectBody {
    var request = request
    return try parse(Data(buffer: try await request.boundedBody(limit: limit)))
  }

  package static func parse(_ data: Data) throws(Problem) -> JSONObjectBody {
    guard !data.isEmpty else { throw Problem.malformedJSON("the request body is empty; send a JSON object") }
    let value: JSONValue
    do {
      value = try JSONDecoder().decode(JSONValue.self, from: data)
    } catch {
      throw Problem.malformedJSON("the request body is not valid JSON")
    }
    if let path = value.firstPathHoldingNUL() {
      throw Problem.invalidField(path, "\(path) must not contain NUL characters")
    }
    guard case .object(let fields) = value else {
      throw Problem(
        status: .unprocessableContent, code: "invalid_body", title: "Invalid body",
        detail: "the request body must be a JSON object, not \(value.typeName)")
    }
    return JSONObjectBody(fields: fields)
  }

  /// A string that must be present, non-blank once trimmed, and at most `maxLength` characters.
  package func requiredString(_ name: String, maxLength: Int) throws(Problem) -> String {
    guard let value = try optionalString(name, maxLength: maxLength) else { throw Problem.missingField(name) }
    guard !value.isEmpty else { throw Problem.invalidField(name, "\(name.debugDescription) must not be blank") }
    return value
  }

  /// A string if present (null counts as absent), trimmed, at most `maxLength` characters.
  package func optionalString(_ name: String, maxLength: Int) throws(Problem) -> String? {
    switch fields[name] {
    case nil, .null?:
      return nil
    case .string(let raw)?:
      let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
      guard value.count <= maxLength else {
        throw Problem.invalidField(name, "\(name.debugDescription) must be at most \(maxLength) characters")
      }
      guard !value.unicodeScalars.contains(where: { $0.value == 0 }) else {
        throw Problem.invalidField(name, "\(name.debugDescription) must not contain NUL characters")
      }
      return value
    case let other?:
      throw Problem.invalidField(name, "\(name.debugDescription) must be a string, not \(other.typeName)")
    }
  }

  /// A boolean if present (null counts as absent).
  package func optionalBool(_ name: String) throws(Problem) -> Bool? {
    switch fields[name] {
    case nil, .null?: return nil
    case .bool(let value)?: return value
    case let other?: throw Problem.invalidField(name, "\(name.debugDescription) must be true or false, not \(other.typeName)")
    }
  }

  /// A whole number from `range` if present (null counts as absent).
  package func optionalInteger(_ name: String, in range: ClosedRange<Int>) throws(Problem) -> Int? {
    switch fields[name] {
    case nil, .null?: return nil
    case .number(let value)?:
      guard value.rounded() == value, let whole = Int(exactly: value), range.contains(whole) else {
        throw Problem.invalidField(
          name, "\(name.debugDescription) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
      }
      return whole
    case let other?: throw Problem.invalidField(name, "\(name.debugDescription) must be a number, not \(other.typeName)")
    }
  }

  /// A finite number from `range` if present (null counts as absent).
  package func optionalNumber(_ name: String, in range: ClosedRange<Double>) throws(Problem) -> Double? {
    switch fields[name] {
    case nil, .null?: return nil
    case .number(let value)?:
      guard value.isFinite, range.contains(value) else {
        throw Problem.invalidField(
          name, "\(name.debugDescription) must be a number from \(range.lowerBound) to \(range.upperBound)")
      }
      return value
    case let other?: throw Problem.invalidField(name, "\(name.debugDescription) must be a number, not \(other.typeName)")
    }
  }

  /// Refuses any field not in `known`, naming what the object holds.
  package func onlyFields(_ known: [String], in what: String) throws(Problem) {
    for key in fields.keys.sorted() where !known.contains(key) {
      throw Problem.invalidField(key, "unknown field \(key.debugDescription); \(what) has \(known.joined(separator: ", "))")
    }
  }
}

extension Request {
  /// Reads at most `limit` bytes of the body (413 `payload_too_large` past that); the request
  /// keeps them, so whoever reads it next gets the same bytes.
  mutating func boundedBody(limit: Int) async throws -> ByteBuffer {
    do {
      return try await collectBody(upTo: limit)
    } catch let error as HTTPError where error.status == .contentTooLarge {
      throw Problem.payloadTooLarge(limit: limit)
    } catch is NIOTooManyBytesError {
      throw Problem.payloadTooLarge(limit: limit)
    }
  }
}
