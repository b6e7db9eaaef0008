import Contracts
import GRPCCore

extension ValidatedRequest {
  /// Throws INVALID_ARGUMENT naming the first few fields at fault; returns when the request
  /// is within `InputLimits`.
  public func requireValid() throws(RPCError) {
    let violations = violations()
    guard violations.isEmpty else {
      throw RPCError(code: .invalidArgument, message: "the request is outside the contract's limits: \(violations.summary)")
    }
  }
}
