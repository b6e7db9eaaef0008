import Foundation
import PostgresNIO

/// A job to enqueue: one unit of work on a thread (what its kind works on), run by a worker.
public struct NewJob: Sendable, Equatable {
  public var kind: String
  public var threadID: UUID
  public var projectID: UUID
  public var priority: Int
  public var maxAttempts: Int
  /// Unique across all jobs: enqueueing the same key twice makes one job.
  public var idempotencyKey: String
  public var runAt: Date?

  public init(
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
public struct ClaimedJob: Sendable, Equatable {
  public var id: Int64
  public var kind: String
  public var threadID: UUID
  public var projectID: UUID
  /// This claim's attempt number, from 1.
  public var attempt: Int
  public var maxAttempts: Int
  public var leaseOwner: String
}

public enum JobState: String, Sendable, Codable {
  case ready, running, succeeded, dead
}

/// A job that will not be tried again, handed to its handler's dead-letter hook.
public struct DeadJob: Sendable, Equatable {
  public enum Cause: Sendable, Equatable {
    /// The last attempt failed (or the failure was permanent) with this error.
    case failed(String)
    /// Its worker ended this many times in a row with no progress between (see `JobQueue.crashLimit`).
    case crashed(times: Int)
    /// The worker holding its last attempt stopped renewing the lease.
    case stoppedAnswering
  }

  public var id: Int64
  public var kind: String
  public var threadID: UUID
  public var projectID: UUID
  public var attempts: Int
  public var cause: Cause
}

/// Records what a job's death means for its work, in the transaction that makes it dead.
public typealias DeadLetterHook = @Sendable (DeadJob, PostgresConnection) async throws -> Void

/// What a failure came to.
public enum FailureOutcome: Sendable, Equatable {
  case retryScheduled(at: Date)
  case dead
  case leaseLost
}
