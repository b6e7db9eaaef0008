import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// The `jobs` table as a queue: claimed with `FOR UPDATE SKIP LOCKED` by priority then age,
/// held under a lease that heartbeats renew, finished only by the current lease holder.
package struct JobQueue: Sendable {
  /// The NOTIFY channel that wakes workers when a job becomes ready.
  package static let channel = "mlops_jobs"

  package let client: PostgresClient
  package var backoff: RetryBackoff
  private let logger: Logger

  package init(client: PostgresClient, backoff: RetryBackoff = RetryBackoff(), logger: Logger) {
    self.client = client
    self.backoff = backoff
    self.logger = logger
  }

  // MARK: Enqueue

  /// Enqueues inside the caller's transaction, so the job commits with whatever created it.
  /// Returns the job id, or nil when the idempotency key exists already or the thread has a
  /// live job (at most one per thread).
  @discardableResult
  package func enqueue(_ job: NewJob, on connection: PostgresConnection) async throws -> Int64? {
    let rows = try await connection.guardedQuery(
      """
      WITH inserted AS (
        INSERT INTO jobs (kind, thread_id, project_id, priority, max_attempts, idem_key, run_at, trace_context)
        VALUES (\(job.kind), \(job.threadID), \(job.projectID), \(job.priority), \(job.maxAttempts),
                \(job.idempotencyKey), COALESCE(\(job.runAt), now()), \(TraceCarrier.current()))
        ON CONFLICT DO NOTHING
        RETURNING id)
      SELECT id, pg_notify(\(Self.channel), '')::text FROM inserted
      """, logger: logger)
    var id: Int64?
    for try await (value, _) in rows.decode((Int64, String).self) { id = value }
    return id
  }

  /// Enqueues in a transaction of its own.
  @discardableResult
  package func enqueue(_ job: NewJob) async throws -> Int64? {
    try await client.transaction(logger: logger) { try await enqueue(job, on: $0) }
  }

  // MARK: Claim and lease

  /// Claims up to `limit` ready jobs whose time has come, highest priority then oldest first.
  package func claim(owner: String, limit: Int, lease: Duration) async throws -> [ClaimedJob] {
    let rows = try await client.guardedExecute(
      ClaimStatements.Next(owner: owner, leaseSeconds: lease.seconds, selector: limit), logger: logger)
    return Self.claimed(rows, owner: owner).sorted { $0.id < $1.id }
  }

  /// Claims the ready job of one thread, if it has one (for drivers that own their threads).
  package func claim(threadID: UUID, owner: String, lease: Duration) async throws -> ClaimedJob? {
    let rows = try await client.guardedExecute(
      ClaimStatements.OfThread(owner: owner, leaseSeconds: lease.seconds, selector: threadID), logger: logger)
    return Self.claimed(rows, owner: owner).first
  }

  private static func claimed(_ rows: [ClaimStatements.Claimed], owner: String) -> [ClaimedJob] {
    rows.map { row in
      ClaimedJob(
        id: row.id, kind: row.kind, threadID: row.threadID, projectID: row.projectID, attempt: row.attempts,
        maxAttempts: row.maxAttempts, leaseOwner: owner, traceContext: row.traceContext)
    }
  }

  /// Renews the lease; false when the lease is no longer this owner's (the job was reaped).
  package func heartbeat(_ job: ClaimedJob, lease: Duration) async throws -> Bool {
    try await client.withOpenConnection { try await renewLease(job, lease: lease, on: $0) }
  }

  /// Renews the lease on `connection` (inside a step's transaction, this also locks the row
  /// until commit, so a reaper cannot take the job mid-step).
  package func renewLease(_ job: ClaimedJob, lease: Duration, on connection: PostgresConnection) async throws -> Bool {
    let rows = try await connection.guardedQuery(
      """
      UPDATE jobs SET lease_expires_at = now() + make_interval(secs => \(lease.seconds)), updated_at = now()
      WHERE id = \(job.id) AND lease_owner = \(job.leaseOwner) AND state = 'running'
      RETURNING id
      """, logger: logger)
    for try await _ in rows { return true }
    return false
  }

  // MARK: Finish

  /// Marks the job succeeded; false when the lease was lost (nothing changes then).
  package func complete(_ job: ClaimedJob, on connection: PostgresConnection) async throws -> Bool {
    let rows = try await connection.guardedQuery(
      """
      UPDATE jobs SET state = 'succeeded', lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
      WHERE id = \(job.id) AND lease_owner = \(job.leaseOwner) AND state = 'running'
      RETURNING id
      """, logger: logger)
    for try await _ in rows { return true }
    return false
  }

  package func complete(_ job: ClaimedJob) async throws -> Bool {
    try await client.withOpenConnection { try await complete(job, on: $0) }
  }

  /// Completes many jobs of one owner in one statement; returns the ids it completed.
  package func completeBatch(_ ids: [Int64], owner: String) async throws -> Set<Int64> {
    let rows = try await client.guardedQuery(
      """
      UPDATE jobs SET state = 'succeeded', lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
      WHERE id = ANY(\(ids)) AND lease_owner = \(owner) AND state = 'running'
      RETURNING id
      """, logger: logger)
    var done: Set<Int64> = []
    for try await id in rows.decode(Int64.self) { done.insert(id) }
    return done
  }

  /// Records a failure: back to ready after a backoff, or dead after the last attempt (or at
  /// once when retrying cannot help), with `onDeath` run in the same transaction.
  package func fail(
    _ job: ClaimedJob, error: String, permanent: Bool = false, onDeath: DeadLetterHook? = nil
  ) async throws -> FailureOutcome {
    let delay = backoff.delay(afterAttempt: job.attempt)
    return try await client.transaction(logger: logger) { connection in
      let rows = try await connection.guardedQuery(
        """
        UPDATE jobs SET
          state = CASE WHEN attempts >= max_attempts OR \(permanent) THEN 'dead' ELSE 'ready' END,
          run_at = CASE WHEN attempts >= max_attempts OR \(permanent) THEN run_at
                        ELSE now() + make_interval(secs => \(delay.seconds)) END,
          lease_owner = NULL, lease_expires_at = NULL, last_error = \(error), updated_at = now()
        WHERE id = \(job.id) AND lease_owner = \(job.leaseOwner) AND state = 'running'
        RETURNING state, run_at
        """, logger: logger)
      var outcome = FailureOutcome.leaseLost
      for try await (state, runAt) in rows.decode((String, Date).self) {
        outcome = state == "dead" ? .dead : .retryScheduled(at: runAt)
      }
      if outcome == .dead, let onDeath {
        let dead = DeadJob(
          id: job.id, kind: job.kind, threadID: job.threadID, projectID: job.projectID, attempts: job.attempt,
          cause: .failed(error))
        try await onDeath(dead, connection)
      }
      if case .retryScheduled = outcome {
        try await connection.guardedQuery("SELECT pg_notify(\(Self.channel), '')", logger: logger)
      }
      return outcome
    }
  }

  /// Gives a claimed job back without spending an attempt (a worker shutting down).
  package func release(_ job: ClaimedJob) async throws {
    try await client.guardedQuery(
      """
      UPDATE jobs SET state = 'ready', attempts = greatest(attempts - 1, 0), lease_owner = NULL,
        lease_expires_at = NULL, updated_at = now()
      WHERE id = \(job.id) AND lease_owner = \(job.leaseOwner) AND state = 'running'
      """, logger: logger)
    try await client.guardedQuery("SELECT pg_notify(\(Self.channel), '')", logger: logger)
  }

  /// Crashes in a row with no progress between them that make a job dead.
  package static let crashLimit = 2

  /// Returns jobs whose lease expired to ready, or to dead (handed to `onDeath`) when they
  /// have no attempt left or have now ended their worker `crashLimit` times in a row with no
  /// progress between: an expired lease means no report came back, so the work may have
  /// killed its process, and claiming it again would kill the next one. Progress is the
  /// job's `progress` count, which its handler bumps as it commits work (the graph does in
  /// each step's transaction). Returns how many it reclaimed.
  @discardableResult
  package func reapExpiredLeases(onDeath: DeadLetterHook? = nil) async throws -> Int {
    try await client.transaction(logger: logger) { connection in
      let rows = try await connection.guardedQuery(
        """
        WITH expired AS (
          SELECT j.id FROM jobs j WHERE j.state = 'running' AND j.lease_expires_at < now()
          FOR UPDATE OF j SKIP LOCKED
        )
        UPDATE jobs j SET
          crashes = CASE WHEN j.crash_seq IS NOT DISTINCT FROM j.progress THEN j.crashes + 1 ELSE 1 END,
          crash_seq = j.progress,
          state = CASE WHEN j.attempts >= j.max_attempts
                         OR (j.crash_seq IS NOT DISTINCT FROM j.progress AND j.crashes + 1 >= \(Self.crashLimit))
                       THEN 'dead' ELSE 'ready' END,
          last_error = COALESCE(j.last_error, 'lease expired'),
          lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
        FROM expired e WHERE j.id = e.id
        RETURNING j.id, j.kind, j.state, j.thread_id, j.project_id, j.attempts, j.crashes
        """, logger: logger)
      var reaped = 0
      var dead: [DeadJob] = []
      for try await (id, kind, state, thread, project, attempts, crashes) in rows.decode(
        (Int64, String, String, UUID, UUID, Int, Int).self)
      {
        reaped += 1
        guard state == "dead" else { continue }
        dead.append(
          DeadJob(
            id: id, kind: kind, threadID: thread, projectID: project, attempts: attempts,
            cause: crashes >= Self.crashLimit ? .crashed(times: crashes) : .stoppedAnswering))
      }
      if let onDeath {
        for job in dead { try await onDeath(job, connection) }
      }
      if reaped > dead.count { try await connection.guardedQuery("SELECT pg_notify(\(Self.channel), '')", logger: logger) }
      return reaped
    }
  }

  // MARK: Inspection

  /// Ready jobs whose time has come, and running ones.
  package func depth() async throws -> (ready: Int, running: Int) {
    let backlog = try await backlog()
    return (backlog.ready, backlog.running)
  }

  /// The live jobs: how many are ready (their time has come) and running, and how long the
  /// oldest ready one has waited, in seconds (0 when none waits).
  package func backlog() async throws -> (ready: Int, running: Int, oldestReadySeconds: Double) {
    let rows = try await client.guardedQuery(
      """
      SELECT count(*) FILTER (WHERE state = 'ready' AND run_at <= now()),
             count(*) FILTER (WHERE state = 'running'),
             COALESCE(EXTRACT(EPOCH FROM now() - min(run_at) FILTER (WHERE state = 'ready' AND run_at <= now())), 0)::float8
      FROM jobs WHERE state IN ('ready', 'running')
      """, logger: logger)
    for try await row in rows.decode((Int, Int, Double).self) { return row }
    return (0, 0, 0)
  }

  /// Removes jobs that succeeded or died more than `age` ago, at most `batch` a call
  /// (index `jobs_finished`); how many went.
  @discardableResult
  package func pruneFinished(olderThan age: Duration, batch: Int = 5_000) async throws -> Int {
    let rows = try await client.guardedQuery(
      """
      WITH gone AS (
        DELETE FROM jobs WHERE id IN (
          SELECT id FROM jobs
          WHERE state IN ('succeeded', 'dead') AND updated_at < now() - make_interval(secs => \(Int(age.components.seconds)))
          ORDER BY updated_at LIMIT \(max(batch, 1)))
        RETURNING 1)
      SELECT count(*)::int FROM gone
      """, logger: logger)
    for try await count in rows.decode(Int.self) { return count }
    return 0
  }
}
