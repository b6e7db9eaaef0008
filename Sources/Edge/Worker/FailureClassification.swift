import GRPCCore

/// Which failures another attempt cannot fix, so the job dies at once with its reason
/// instead of backing off through every attempt.
enum FailureClassification {
  static func isPermanent(_ error: any Error) -> Bool {
    if let error = error as? RPCError {
      return [.unimplemented, .invalidArgument, .failedPrecondition, .permissionDenied, .unauthenticated, .outOfRange]
        .contains(error.code)
    }
    if let error = error as? GraphEngine.EngineError {
      switch error {
      case .noNode, .noCheckpoint: return true
      case .notWaiting, .stillWaiting, .leaseLost, .notFinished: return false
      }
    }
    return false
  }

  /// The engine refused a commit because another worker took the job over.
  static func isLeaseLost(_ error: any Error) -> Bool {
    if case GraphEngine.EngineError.leaseLost? = error as? GraphEngine.EngineError { return true }
    return false
  }
}
