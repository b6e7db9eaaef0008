import Metrics
import ServiceKit

/// Step durations by node and outcome, and the plan round trip, for `/metrics`.
enum StepMetrics {
  /// From a job's claim to the approval gate: the planning a person waits for after submitting
  /// (the queue's wait is `mlops_queue_oldest_ready_seconds`).
  static func reachedTheGate(after duration: Duration) {
    Timer(label: "mlops_plan_round_trip_seconds").record(duration)
  }

  static func finished(_ node: NodeName, outcome: String, after duration: Duration) {
    Timer(label: "mlops_step_duration_seconds", dimensions: [("node", node.rawValue), ("outcome", outcome)])
      .record(duration)
  }
}
