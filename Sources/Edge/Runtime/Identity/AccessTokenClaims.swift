import Foundation
import JWTKit

/// A token's claims as the issuer wrote them. Which claim names the user and which carries
/// the groups is configuration, so they are kept by name; the registered time and audience
/// claims are checked by `TokenVerifier` once the signature is.
struct AccessTokenClaims: JWTPayload {
  enum Value: Sendable, Equatable {
    case string(String)
    case number(Double)
    case strings([String])
    case other
  }

  var values: [String: Value]

  init(values: [String: Value]) {
    self.values = values
  }

  struct Key: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }

  init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: Key.self)
    var values: [String: Value] = [:]
    for key in container.allKeys {
      if let text = try? container.decode(String.self, forKey: key) {
        values[key.stringValue] = .string(text)
      } else if let number = try? container.decode(Double.self, forKey: key) {
        values[key.stringValue] = .number(number)
      } else if let list = try? container.decode([String].self, forKey: key) {
        values[key.stringValue] = .strings(list)
      } else {
        values[key.stringValue] = .other
      }
    }
    self.values = values
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: Key.self)
    for (name, value) in values.sorted(by: { $0.key < $1.key }) {
      let key = Key(stringValue: name)
      switch value {
      case .string(let text): try container.encode(text, forKey: key)
      case .number(let number): try container.encode(number, forKey: key)
      case .strings(let list): try container.encode(list, forKey: key)
      case .other: continue
      }
    }
  }

  func verify(using algorithm: some JWTAlgorithm) async throws {}

  func string(_ name: String) -> String? {
    if case .string(let text) = values[name] { return text }
    return nil
  }

  func date(_ name: String) -> Date? {
    if case .number(let seconds) = values[name] { return Date(timeIntervalSince1970: seconds) }
    return nil
  }

  /// A claim that is one string or a list of them (`aud`, groups).
  func strings(_ name: String) -> [String] {
    switch values[name] {
    case .string(let text): [text]
    case .strings(let list): list
    default: []
    }
  }
}
