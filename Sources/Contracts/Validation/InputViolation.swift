/// One way a message from outside breaks the contract: the field (a JSON path in proto field
/// names, `constraints.latency_p95_ms.value`) and what is allowed there. The API answers it as
/// 422 with `field`; a gRPC service as INVALID_ARGUMENT.
public struct InputViolation: Error, Equatable, Sendable, CustomStringConvertible {
  public var field: String
  public var message: String

  public init(field: String, message: String) {
    self.field = field
    self.message = message
  }

  public var description: String { "\(field): \(message)" }
}

extension Array where Element == InputViolation {
  /// The violations as one line, for an RPC status message or a problem's detail.
  public var summary: String {
    let shown = prefix(5).map(\.description).joined(separator: "; ")
    return count > 5 ? "\(shown); and \(count - 5) more" : shown
  }
}
