import Logging
import ServiceKit

/// Keeps a claimed job's lease while its handler runs: renews it every third of the lease,
/// and rides out renewals that fail (a database restart, a dropped connection) by trying
/// again until the lease would really have run out. Only a lease that is no longer this
/// worker's (`renew` answers false), or one that ran out while every renewal failed, ends
/// the step; an outage shorter than the lease costs nothing.
package struct LeaseKeeper: Sendable {
  package struct LeaseLost: Error {}

  let lease: Duration
  /// How often the lease is renewed: a third of it unless told otherwise.
  let renewEvery: Duration
  /// How long to wait between renewals that fail.
  let retryInterval: Duration
  let renew: @Sendable () async throws -> Bool
  let logger: Logger

  package init(
    lease: Duration, renewEvery: Duration? = nil, retryInterval: Duration? = nil, logger: Logger,
    renew: @escaping @Sendable () async throws -> Bool
  ) {
    self.lease = lease
    self.renewEvery = renewEvery ?? lease / 3
    self.retryInterval = retryInterval ?? min(lease / 10, .seconds(1))
    self.renew = renew
    self.logger = logger
  }

  /// Runs until the lease is lost (throws `LeaseLost`) or the task is cancelled.
  package func run() async throws {
    let clock = ContinuousClock()
    // The claim itself set the lease; a renewal that starts at `attempt` and succeeds moves
    // the database's expiry to at least `attempt + lease`.
    var expires = clock.now + lease
    var next = clock.now + renewEvery
    var failures = 0
    while true {
      try await Task.sleep(until: next, clock: clock)
      let attempt = clock.now
      do {
        guard try await renew() else {
          // Not ours any more. The handler's last commit may have just finished the job:
          // give it a moment to return first, so a finished job is not counted as lost.
          try await Task.sleep(for: renewEvery)
          throw LeaseLost()
        }
        if failures > 0 {
          logger.notice("lease renewed again", metadata: ["failed_renewals": "\(failures)"])
        }
        failures = 0
        expires = attempt + lease
        next = attempt + renewEvery
      } catch let error where !(error is LeaseLost) && !(error is CancellationError) {
        failures += 1
        let now = clock.now
        guard now + retryInterval < expires else {
          logger.warning(
            "lease ran out while its renewals failed", metadata: ["error": "\(FailureText.describe(error))"])
          throw LeaseLost()
        }
        if failures == 1 {
          logger.warning(
            "lease renewal failed; trying again until the lease runs out",
            metadata: ["error": "\(FailureText.describe(error))", "lease_left_ms": "\(Int((expires - now).milliseconds))"])
        }
        next = now + retryInterval
      }
    }
  }
}
