/// Model tokens consumed, as the provider's replies reported them.
public struct TokenCount: Sendable, Equatable {
  public var input: Int
  public var output: Int

  public init(input: Int = 0, output: Int = 0) {
    self.input = input
    self.output = output
  }

  public var total: Int { input + output }

  public mutating func add(input: Int, output: Int) {
    self.input += max(0, input)
    self.output += max(0, output)
  }
}
