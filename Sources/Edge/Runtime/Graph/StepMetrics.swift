import Metrics
import ServiceKit

/// Step durations by node and outcome, and the plan round trip, for `/metrics`. The timers are
/// made once (on the first step, after the process has installed its metrics), not per step.
enum StepMetrics {
  enum Outcome: String, CaseIterable { case committed, failed }

  /// From a job's claim to the approval gate: the planning a person waits for after submitting
  /// (the queue's wait is `mlops_queue_oldest_ready_seconds`).
  static func reachedTheGate(after duration: Duration) {
    roundTrip.record(duration)
  }

  static func finished(_ node: NodeName, _ outcome: Outcome, after duration: Duration) {
    steps[node]?[outcome]?.record(duration)
  }

  private static let roundTrip = Timer(label: "mlops_plan_round_trip_seconds")

  private static let steps: [NodeName: [Outcome: Timer]] = Dictionary(
    uniqueKeysWithValues: NodeName.allCases.map { node in
      let timers = Outcome.allCases.map { outcome in
        (
          outcome,
          Timer(
            label: "mlops_step_duration_seconds", dimensions: [("node", node.rawValue), ("outcome", outcome.rawValue)])
        )
      }
      return (node, Dictionary(uniqueKeysWithValues: timers))
    })
}
