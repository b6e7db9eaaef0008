import Foundation

/// Reads settings from environment variables, each refusal naming its variable. Every
/// module reads its own settings with one (`Configuration` here, Edge's and Codegen's in
/// theirs); README.md documents them all in one table.
public struct EnvironmentReader: Sendable {
  public let variables: [String: String]

  public init(_ variables: [String: String]) {
    self.variables = variables
  }

  /// The variable's value, trimmed; an empty one counts as unset.
  public func value(_ name: String) -> String? {
    guard let raw = variables[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
    return raw
  }

  public func port(_ name: String, default fallback: Int) throws(ConfigurationError) -> Int {
    guard let text = value(name) else { return fallback }
    guard let port = Int(text), (0...65535).contains(port) else {
      throw ConfigurationError(variable: name, value: text, expected: "a port from 0 to 65535")
    }
    return port
  }

  public func positive(_ name: String, default fallback: Int) throws(ConfigurationError) -> Int {
    guard let text = value(name) else { return fallback }
    guard let number = Int(text), number > 0 else {
      throw ConfigurationError(variable: name, value: text, expected: "a positive whole number")
    }
    return number
  }

  public func nonNegative(_ name: String, default fallback: Int) throws(ConfigurationError) -> Int {
    guard let text = value(name) else { return fallback }
    guard let number = Int(text), number >= 0 else {
      throw ConfigurationError(variable: name, value: text, expected: "a whole number, 0 or more")
    }
    return number
  }

  /// One of a closed set of lower-case names; `expected` lists them for the error.
  public func choice<Choice: RawRepresentable<String>>(
    _ name: String, default fallback: Choice, expected: String
  ) throws(ConfigurationError) -> Choice {
    guard let text = value(name) else { return fallback }
    guard let choice = Choice(rawValue: text.lowercased()) else {
      throw ConfigurationError(variable: name, value: text, expected: expected)
    }
    return choice
  }
}
