import Foundation
import PostgresNIO

/// A job to enqueue: one unit of work on a thread (what its kind works on), run by a worker.
package struct NewJob: Sendable, Equatable {
  package var kind: String
  package var threadID: UUID
  package var projectID: UUID
  package var priority: Int
  package var maxAttempts: Int
  /// Unique across all jobs: enqueueing the same key twice makes one job.
  package var idempotencyKey: String
  package var runAt: Date?

  package init(
    kind: String, threadID: UUID, projectID: UUID, idempotencyKey: String, priority: Int = 0, maxAttempts: Int = 5,
    runAt: Date? = nil
  ) {
    self.kind = kind
    self.threadID = threadID
    self.projectID = projectID
    self.priority = priority
    self.maxAttempts = maxAttempts
    self.idempotencyKey = idempotencyKey
    self.runAt = runAt
  }
}

/// A job a worker holds under a lease.
package struct ClaimedJob: Sendable, Equatable {
  package var id: Int64
  package var kind: String
  package var threadID: UUID
  package var projectID: UUID
  /// This claim's attempt number, from 1.
  package var attempt: Int
  package var maxAttempts: Int
  package var leaseOwner: String
  /// The W3C `traceparent` of the request that queued the job, which its spans continue.
  package var traceContext: String? = nil
}

package enum JobState: String, Sendable, Codable {
  case ready, running, succeeded, dead
}

/// A job that will not be tried again, handed to its handler's dead-letter hook.
package struct DeadJob: Sendable, Equatable {
  package enum Cause: Sendable, Equatable {
    /// The last attempt failed (or the failure was permanent) with this error.
    case failed(String)
    /// Its worker ended this many times in a row with no progress between (see `JobQueue.crashLimit`).
    case crashed(times: Int)
    /// The worker holding its last attempt stopped renewing the lease.
    case stoppedAnswering
  }

  package var id: Int64
  package var kind: String
  package var threadID: UUID
  package var projectID: UUID
  package var attempts: Int
  package var cause: Cause
}

/// Records what a job's death means for its work, in the transaction that makes it dead.
package typealias DeadLetterHook = @Sendable (DeadJob, PostgresConnection) async throws -> Void

/// What a failure came to.
package enum FailureOutcome: Sendable, Equatable {
  case retryScheduled(at: Date)
  case dead
  case leaseLost
}
