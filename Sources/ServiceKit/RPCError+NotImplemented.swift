import GRPCCore

extension RPCError {
  /// gRPC's honest answer for a method whose logic has not landed yet.
  public static func unimplemented(_ method: String, tracking issue: String) -> RPCError {
    RPCError(code: .unimplemented, message: "\(method) is not implemented yet (\(issue))")
  }
}
