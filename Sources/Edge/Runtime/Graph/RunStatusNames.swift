import Contracts

extension Mlops_V1_RunStatus {
  /// The status as the API, the `decision_sets.status` column and `run-complete` events
  /// spell it.
  package var apiName: String {
    switch self {
    case .waitingForAnswers: "waiting_for_answers"
    case .waitingForApproval: "waiting_for_approval"
    case .blocked: "blocked"
    case .rejected: "rejected"
    case .completed: "completed"
    case .failed: "failed"
    default: "running"
    }
  }

  /// Statuses after which a run writes no more events and the decision set may be revised.
  package static let finished: [Mlops_V1_RunStatus] = [.blocked, .rejected, .completed, .failed]
  package static let finishedAPINames: Set<String> = Set(finished.map(\.apiName))
}
