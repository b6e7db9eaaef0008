import GRPCCore

/// Which failures another attempt cannot fix whatever the job: a service that refuses the
/// request outright. Handlers add their own (`JobHandler.isPermanent`).
enum FailureClassification {
  static func isPermanent(_ error: any Error) -> Bool {
    if let error = error as? RPCError {
      return [.unimplemented, .invalidArgument, .failedPrecondition, .permissionDenied, .unauthenticated, .outOfRange]
        .contains(error.code)
    }
    return false
  }
}
