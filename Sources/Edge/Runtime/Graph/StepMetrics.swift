import Metrics
import ServiceKit

/// Step durations by node and outcome, for `/metrics`.
enum StepMetrics {
  static func finished(_ node: NodeName, outcome: String, after duration: Duration) {
    Timer(label: "mlops_step_duration_seconds", dimensions: [("node", node.rawValue), ("outcome", outcome)])
      .record(duration)
  }
}
