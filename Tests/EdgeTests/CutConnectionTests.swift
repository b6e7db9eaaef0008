import EdgeRuntime
import Foundation
import PostgresNIO
import Synchronization
import TestSupport
import Testing

/// A database restart or failover cuts every connection a worker holds. PostgresNIO never
/// answers a query written to a connection that has closed, so work that held one across a
/// node's calls, or a git update, would wait for ever: these must end, on a new connection.
@Suite struct CutConnectionTests {
  struct Hung: Error {}
  struct Cut: Error {}

  /// Ends every other connection to the test's database, as a restart does.
  static func cutEveryOtherConnection(_ url: DatabaseURL) async throws {
    try await TestDatabase.withClient(url) { admin in
      try await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
        logger: TestDatabase.logger)
    }
  }

  /// `body`'s result, or `Hung` after `limit`: a hung query cannot be cancelled (nor can
  /// awaiting its task), so the work is polled and left behind rather than awaited.
  static func within<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let outcome = Mutex<Result<T, any Error>?>(nil)
    Task {
      let result: Result<T, any Error>
      do { result = .success(try await body()) } catch { result = .failure(error) }
      outcome.withLock { $0 = result }
    }
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
      if let result = outcome.withLock({ $0 }) { return try result.get() }
      try await Task.sleep(for: .milliseconds(50))
    }
    throw Hung()
  }

  /// Whether `body` ended (within a minute, else `Hung`) with an error `expected` accepts,
  /// rather than by finishing; any other error is rethrown.
  static func ends(
    throwing expected: @escaping @Sendable (any Error) -> Bool, _ body: @escaping @Sendable () async throws -> Void
  ) async throws -> Bool {
    try await within(.seconds(60)) {
      do {
        try await body()
        return false
      } catch  where expected(error) {
        return true
      }
    }
  }

  /// A client for work that may hang, run outside structured concurrency: a lease that never
  /// returns would hold any shutdown of its client, and with it the whole test run.
  static func withAbandonableClient<T: Sendable>(
    _ url: DatabaseURL, _ body: @Sendable (PostgresClient) async throws -> T
  ) async throws -> T {
    let client = PostgresClient(configuration: url.clientConfiguration, backgroundLogger: TestDatabase.logger)
    let running = Task { await client.run() }
    let value = try await body(client)
    running.cancel()
    await running.value
    return value
  }

  @Test func aStepWhoseConnectionsAreCutWhileItsNodeRunsStillCommits() async throws {
    try await TestDatabase.withFreshDatabase { client, url in
      try await client.query(PostgresQuery(unsafeSQL: TestNodeBook.effectsTable), logger: TestDatabase.logger)
      let book = TestNodeBook()
      let (project, threads) = try await Fixtures.threads(1, on: client)
      try await Self.withAbandonableClient(url) { client in
        let queue = JobQueue(client: client, logger: TestDatabase.logger)
        let engine = GraphEngine(
          client: client, nodes: TestNode.all(book: book, during: (.planner, { try await Self.cutEveryOtherConnection(url) })),
          queue: queue, logger: TestDatabase.logger)
        _ = try await client.withTransaction(logger: TestDatabase.logger) { connection in
          try await engine.runs.start(
            threadID: threads[0], projectID: project,
            state: .with {
              $0.brief = "fraud scoring"; $0.version = 1
            },
            on: connection)
        }
        let job = try #require(try await queue.claim(owner: "test", limit: 1, lease: .seconds(30)).first)
        let outcome = try await Self.within(.seconds(60)) { try await engine.run(job) }
        #expect(outcome == .waiting(.approval))
      }
      #expect(book.called(.planner) == 1, "the planner ran once")
    }
  }

  @Test func aProjectLockLostWithItsConnectionFailsTheWorkInsteadOfHanging() async throws {
    try await TestDatabase.withFreshDatabase { _, url in
      let root = FileManager.default.temporaryDirectory.appending(path: "cut-lock-\(UUID().uuidString)")
      defer { try? FileManager.default.removeItem(at: root) }
      let project = UUID()
      try await Self.withAbandonableClient(url) { client in
        let repositories = ProjectRepositories(root: root, client: client, logger: TestDatabase.logger)
        let failure = try await Self.within(.seconds(60)) { () -> String in
          do {
            try await repositories.withProjectLock(project) { try await Self.cutEveryOtherConnection(url) }
            return "the work succeeded though its lock was gone"
          } catch let error as ProjectRepositories.ProjectLockLost {
            return "\(error)"
          }
        }
        #expect(failure == "the lock on project \(project) was lost with its database connection")
        // The next holder gets the lock on a new connection (after at most a lease the pool
        // had not yet seen cut, as a retried step would).
        try await Self.within(.seconds(60)) {
          do { try await repositories.withProjectLock(project) {} } catch  where isConnectionCut(error) {
            try await repositories.withProjectLock(project) {}
          }
        }
      }
    }
  }

  /// PostgresNIO's `withTransaction` sends ROLLBACK when its closure throws, and waited for
  /// ever when a restart had cut the connection meanwhile.
  @Test func aTransactionWhoseConnectionWasCutEndsWithItsOwnError() async throws {
    try await TestDatabase.withFreshDatabase { _, url in
      try await Self.withAbandonableClient(url) { client in
        let endedWithItsOwnError = try await Self.ends(throwing: { $0 is Cut }) {
          try await client.transaction(logger: TestDatabase.logger) { connection in
            try await Self.cutEveryOtherConnection(url)
            let closing = ContinuousClock.now
            while !connection.isClosed, ContinuousClock.now - closing < .seconds(10) {
              try await Task.sleep(for: .milliseconds(20))
            }
            throw Cut()
          }
        }
        #expect(endedWithItsOwnError)
      }
    }
  }

  /// A query written to a connection that has closed is refused at once; PostgresNIO alone
  /// would never answer it.
  @Test func aQueryOnAClosedConnectionIsRefusedNotLeftUnanswered() async throws {
    try await TestDatabase.withFreshDatabase { _, url in
      try await Self.withAbandonableClient(url) { client in
        let refused = try await Self.ends(throwing: { $0 is ConnectionClosedBeforeQuery }) {
          try await client.withConnection { connection in
            try await Self.cutEveryOtherConnection(url)
            try await connection.closeFuture.get()
            try await connection.guardedQuery("SELECT 1", logger: TestDatabase.logger)
          }
        }
        #expect(refused)
      }
    }
  }

  /// Just after a restart the pool still lends connections that have closed. One-off queries
  /// then end, answered or failed (a connection cut while the query was on it), and none
  /// waits for ever.
  @Test func queriesJustAfterEveryConnectionWasCutAllEnd() async throws {
    try await TestDatabase.withFreshDatabase { _, url in
      try await Self.withAbandonableClient(url) { client in
        try await withThrowingTaskGroup { group in
          for _ in 0..<8 { group.addTask { try await client.guardedQuery("SELECT pg_sleep(0.05)", logger: TestDatabase.logger) } }
          try await group.waitForAll()
        }
        try await Self.cutEveryOtherConnection(url)
        let ended = try await Self.within(.seconds(60)) { () -> [String] in
          try await withThrowingTaskGroup { group in
            for _ in 0..<16 {
              group.addTask { () -> String in
                do {
                  try await client.guardedQuery("SELECT 1", logger: TestDatabase.logger)
                  return "answered"
                } catch  where isConnectionCut(error) {
                  return "cut"
                }
              }
            }
            return try await group.reduce(into: []) { $0.append($1) }
          }
        }
        #expect(ended.count == 16)
        #expect(ended.contains("answered"), "a fresh connection answers: \(ended)")
      }
    }
  }
}
