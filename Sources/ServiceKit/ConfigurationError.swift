/// A configuration value that cannot be used, named by its environment variable.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
  public var variable: String
  public var value: String
  public var expected: String

  public init(variable: String, value: String, expected: String) {
    self.variable = variable
    self.value = value
    self.expected = expected
  }

  public var description: String {
    "\(variable)=\(value.debugDescription) is not valid: expected \(expected)"
  }
}
