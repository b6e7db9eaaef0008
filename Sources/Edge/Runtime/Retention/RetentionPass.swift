import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The worker's retention upkeep, at most once a minute: removes deleted projects' files,
/// the history of long-finished runs, old finished jobs and expired idempotency keys. Each
/// part works from an index and in batches, so a pass costs what there is to remove.
package final class RetentionPass: Sendable {
  package struct Report: Sendable, Equatable {
    package var projectsSwept = 0
    package var bundlesRemoved = 0
    package var events = 0
    package var agentRuns = 0
    package var jobs = 0
    package var idempotencyKeys = 0

    package init() {}
  }

  private let client: PostgresClient
  private let store: any ArtifactStore
  private let repositories: ProjectRepositories
  private let configuration: RetentionConfiguration
  private let interval: Duration
  private let logger: Logger
  private let lastRun = Mutex<ContinuousClock.Instant?>(nil)

  package init(
    client: PostgresClient, store: any ArtifactStore, repositories: ProjectRepositories,
    configuration: RetentionConfiguration, interval: Duration = .seconds(60), logger: Logger
  ) {
    self.client = client
    self.store = store
    self.repositories = repositories
    self.configuration = configuration
    self.interval = interval
    self.logger = logger
  }

  /// Runs a pass if the last began at least `interval` ago; nil when it was too soon.
  @discardableResult
  package func runIfDue() async throws -> Report? {
    let now = ContinuousClock.now
    let due = lastRun.withLock { last in
      guard last.map({ now - $0 >= interval }) ?? true else { return false }
      last = now
      return true
    }
    return due ? try await run() : nil
  }

  package func run() async throws -> Report {
    var report = Report()
    let projects = ProjectStore(client: client, logger: logger)
    for project in try await projects.tombstones(olderThan: .seconds(configuration.deletedProjectHours * 3600)) {
      report.bundlesRemoved += try await store.removeProject(project)
      _ = try repositories.remove(project)
      try await projects.forgetTombstone(project)
      report.projectsSwept += 1
      logger.info("removed a deleted project's files", metadata: ["project_id": "\(project.lowercaseString)"])
    }
    let history = try await RunHistory(client: client, logger: logger)
      .prune(finishedBefore: .seconds(configuration.runHistoryDays * 86_400))
    report.events = history.events
    report.agentRuns = history.agentRuns
    report.jobs = try await JobQueue(client: client, logger: logger)
      .pruneFinished(olderThan: .seconds(configuration.finishedJobsDays * 86_400))
    report.idempotencyKeys = try await IdempotencyStore(client: client, logger: logger).prune()
    if report != Report() {
      logger.info(
        "retention pass",
        metadata: [
          "projects": "\(report.projectsSwept)", "bundles": "\(report.bundlesRemoved)", "events": "\(report.events)",
          "agent_runs": "\(report.agentRuns)", "jobs": "\(report.jobs)", "idempotency_keys": "\(report.idempotencyKeys)",
        ])
    }
    return report
  }
}
