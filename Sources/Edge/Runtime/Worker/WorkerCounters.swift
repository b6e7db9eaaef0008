import Synchronization

/// What one worker process has done since it started, for its health endpoint.
package final class WorkerCounters: Sendable {
  package struct Snapshot: Sendable, Codable, Equatable {
    package var claimed = 0
    package var succeeded = 0
    package var retried = 0
    package var dead = 0
    package var leasesLost = 0
    package var released = 0
    package var running = 0
    /// Claim statements sent, whether they found a job or not.
    package var claimQueries = 0
    /// Maintenance passes run (lease reaping, pruning, retention).
    package var maintenancePasses = 0

    enum CodingKeys: String, CodingKey {
      case claimed, succeeded, retried, dead, released, running
      case leasesLost = "leases_lost"
      case claimQueries = "claim_queries"
      case maintenancePasses = "maintenance_passes"
    }
  }

  private let counts = Mutex(Snapshot())

  package init() {}

  package var snapshot: Snapshot { counts.withLock { $0 } }

  func update(_ change: (inout Snapshot) -> Void) {
    let (before, after) = counts.withLock { counts in
      let before = counts
      change(&counts)
      return (before, counts)
    }
    WorkerMetrics.record(from: before, to: after)
  }
}
