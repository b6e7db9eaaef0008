/// Any JSON value, decoded without a schema so validation can name the field at fault.
package enum JSONValue: Decodable, Equatable, Sendable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  package init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let value = try? container.decode(Bool.self) {
      self = .bool(value)
    } else if let value = try? container.decode(Double.self) {
      self = .number(value)
    } else if let value = try? container.decode(String.self) {
      self = .string(value)
    } else if let value = try? container.decode([JSONValue].self) {
      self = .array(value)
    } else {
      self = .object(try container.decode([String: JSONValue].self))
    }
  }

  package var typeName: String {
    switch self {
    case .null: "null"
    case .bool: "a boolean"
    case .number: "a number"
    case .string: "a string"
    case .array: "an array"
    case .object: "an object"
    }
  }
}

extension JSONValue: Encodable {
  package func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .null: try container.encodeNil()
    case .bool(let value): try container.encode(value)
    case .number(let value): try container.encode(value)
    case .string(let value): try container.encode(value)
    case .array(let value): try container.encode(value)
    case .object(let value): try container.encode(value)
    }
  }
}

extension JSONValue {
  /// The path (`inline_comments[0].text`) of the first string or key holding a NUL, which
  /// PostgreSQL's text and jsonb cannot store.
  package func firstPathHoldingNUL(_ path: String = "") -> String? {
    func hasNUL(_ text: String) -> Bool { text.utf8.contains(0) }
    switch self {
    case .string(let text): return hasNUL(text) ? (path.isEmpty ? "body" : path) : nil
    case .array(let items):
      for (index, item) in items.enumerated() {
        if let found = item.firstPathHoldingNUL("\(path)[\(index)]") { return found }
      }
      return nil
    case .object(let fields):
      for key in fields.keys.sorted() {
        let child = path.isEmpty ? key : "\(path).\(key)"
        if hasNUL(key) { return child }
        if let found = fields[key]!.firstPathHoldingNUL(child) { return found }
      }
      return nil
    default: return nil
    }
  }
}
