import Metrics
import ServiceKit

/// What a worker reports to `/metrics`: claim latency, jobs by how they ended, and the
/// queue's backlog (the autoscaling and alerting signals of the worker role).
enum WorkerMetrics {
  static func claimed(after duration: Duration, found: Bool) {
    (found ? claimFound : claimEmpty).record(duration)
  }

  /// Counts what changed between two snapshots of the worker's counters.
  static func record(from before: WorkerCounters.Snapshot, to after: WorkerCounters.Snapshot) {
    let changes = [
      ("claimed", after.claimed - before.claimed), ("succeeded", after.succeeded - before.succeeded),
      ("retried", after.retried - before.retried), ("dead", after.dead - before.dead),
      ("lease_lost", after.leasesLost - before.leasesLost), ("released", after.released - before.released),
    ]
    for (outcome, delta) in changes where delta > 0 {
      Counter(label: "mlops_worker_jobs_total", dimensions: [("outcome", outcome)]).increment(by: delta)
    }
    if after.running != before.running { runningJobs.record(after.running) }
  }

  static func backlog(ready: Int, running: Int, oldestReadySeconds: Double) {
    Gauge(label: "mlops_queue_ready_jobs").record(ready)
    Gauge(label: "mlops_queue_running_jobs").record(running)
    Gauge(label: "mlops_queue_oldest_ready_seconds").record(oldestReadySeconds)
  }

  private static let runningJobs = Gauge(label: "mlops_worker_running_jobs")
  private static let claimFound = Timer(label: "mlops_queue_claim_seconds", dimensions: [("found", "true")])
  private static let claimEmpty = Timer(label: "mlops_queue_claim_seconds", dimensions: [("found", "false")])
}
