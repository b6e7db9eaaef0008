import ArgumentParser
import Assembly
import EdgeRuntime
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Whether the platform's reads stay flat as its data grows: each operation timed on a small
/// database, then again after loading it to `--projects` projects (ten decision sets each,
/// `--events-per-decision-set` events each, every run ended with its checkpoints and job).
struct ScaleBench: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "scale",
    abstract: "Reads, lists, event replay, claims and pruning on a small database and on a loaded one.")

  @Option(help: "Projects when loaded (ten decision sets each).") var projects = 10_000
  @Option(help: "Events per decision set when loaded.") var eventsPerDecisionSet = 50
  @Option(help: "Timed calls per operation (pruning takes a tenth).") var samples = 200

  func run() async throws {
    let environment = try ProcessEnvironment.load(label: "bench")
    let logger = environment.logger
    let small = ScaleWorld.Size(projects: 20, decisionSetsPerProject: 10, eventsPerDecisionSet: eventsPerDecisionSet)
    let loaded = ScaleWorld.Size(projects: projects, decisionSetsPerProject: 10, eventsPerDecisionSet: eventsPerDecisionSet)
    guard loaded.projects > small.projects, samples > 0 else {
      throw ValidationError("--projects must be above \(small.projects) and --samples positive")
    }
    let samples = self.samples
    let (before, after, loadSeconds) = try await BenchDatabase.withScratch(environment: environment) { client in
      let world = ScaleWorld(client: client, logger: logger)
      let operations = ScaleOperations(client: client, logger: logger)
      try await world.grow(to: small)
      let before = try await operations.measure(samples: samples)
      let started = ContinuousClock.now
      Console.line("scale: loading \(loaded) …")
      try await world.grow(to: loaded)
      let loadSeconds = (ContinuousClock.now - started).milliseconds / 1000
      let after = try await operations.measure(samples: samples)
      return (before, after, loadSeconds)
    }

    Console.line("scale: \(small) against \(loaded) (loaded in \(formatted(loadSeconds, 0)) s); ms per call")
    var figures: [String: Any] = [
      "benchmark": "scale", "projects": loaded.projects, "decision_sets": loaded.decisionSets,
      "events": loaded.events,
    ]
    var worst = 0.0
    var rows: [[String]] = []
    for name in ScaleOperations.names {
      let small = Percentiles(before[name] ?? [])
      let large = Percentiles(after[name] ?? [])
      // Below a tenth of a millisecond a ratio says more about the clock than the query.
      let ratio = max(large.value(95), 0.1) / max(small.value(95), 0.1)
      worst = max(worst, ratio)
      rows.append([
        name, formatted(small.value(50)), formatted(small.value(95)), formatted(large.value(50)), formatted(large.value(95)),
        formatted(ratio),
      ])
      let key = name.replacingOccurrences(of: " ", with: "_")
      figures["\(key)_small_p95_ms"] = (small.value(95) * 100).rounded() / 100
      figures["\(key)_loaded_p95_ms"] = (large.value(95) * 100).rounded() / 100
      figures["\(key)_ratio"] = (ratio * 100).rounded() / 100
    }
    printTable(["operation", "small p50", "small p95", "loaded p50", "loaded p95", "p95 ratio"], rows)
    figures["worst_ratio"] = (worst * 100).rounded() / 100
    figures["within_2x"] = worst <= 2
    Console.line(jsonLine(figures))
  }
}

/// The operations `bench scale` times, each through the store the API uses.
struct ScaleOperations: Sendable {
  static let names = [
    "project get", "project list", "decision set get", "decision set list", "event timeline", "last event id",
    "replay after id", "claim", "prune per checkpoint", "idle prune",
  ]

  let client: PostgresClient
  let logger: Logger

  func measure(samples: Int) async throws -> [String: [Double]] {
    let projects = ProjectStore(client: client, logger: logger)
    let queue = JobQueue(client: client, logger: logger)
    let runs = RunControl(client: client, queue: queue, logger: logger)
    let decisionSets = DecisionSetStore(client: client, runs: runs, logger: logger)
    let projectIDs = try await ids("SELECT id FROM projects ORDER BY random() LIMIT \(samples)")
    let setIDs = try await ids(
      "SELECT id FROM decision_sets WHERE status = 'completed' ORDER BY random() LIMIT \(samples)")
    let member = Caller(issuer: "bench", subject: ScaleWorld.member, expiresAt: .distantFuture)
    var timings: [String: [Double]] = [:]
    func time(_ name: String, _ body: () async throws -> Void) async throws {
      let started = ContinuousClock.now
      try await body()
      timings[name, default: []].append((ContinuousClock.now - started).milliseconds)
    }
    for index in 0..<samples {
      let project = projectIDs[index % projectIDs.count]
      let set = setIDs[index % setIDs.count]
      try await time("project get") { _ = try await projects.get(project) }
      try await time("project list") { _ = try await projects.list(visibleTo: member, limit: 50, after: nil) }
      try await time("decision set get") { _ = try await decisionSets.get(set) }
      try await time("decision set list") { _ = try await decisionSets.list(projectID: project, limit: 20) }
      try await time("event timeline") { _ = try await decisionSets.events(of: set, after: 0, limit: 500) }
      var last: Int64 = 0
      try await time("last event id") { last = try await decisionSets.lastEventID(of: set) }
      try await time("replay after id") { _ = try await decisionSets.events(of: set, after: max(last - 10, 0), limit: 500) }
      // One ready job among every finished one, claimed as a worker would.
      let thread = try await projectOf(set)
      try await queue.enqueue(NewJob(kind: "scale.probe", threadID: set, projectID: thread, idempotencyKey: UUID().uuidString))
      try await time("claim") { _ = try await queue.claim(owner: "bench", limit: 1, lease: .seconds(60)) }
      try await client.query("DELETE FROM jobs WHERE kind = 'scale.probe'", logger: logger)
      if index % 10 == 0 {
        // A pass over up to 500 finished runs, per checkpoint it removed.
        let (removed, milliseconds) = try await timed { try await runs.checkpointer.prune(keepLast: 1) }
        if removed > 0 { timings["prune per checkpoint", default: []].append(milliseconds / Double(removed)) }
      }
    }
    // Once every finished run has been pruned, a pass finds nothing: it must not read them all.
    while try await runs.checkpointer.prune(keepLast: 1) > 0 {}
    for _ in 0..<max(samples / 10, 1) {
      try await time("idle prune") { _ = try await runs.checkpointer.prune(keepLast: 1) }
    }
    return timings
  }

  private func ids(_ sql: String) async throws -> [UUID] {
    var found: [UUID] = []
    for try await id in try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode(UUID.self) {
      found.append(id)
    }
    return found
  }

  private func projectOf(_ set: UUID) async throws -> UUID {
    for try await id in try await client.query("SELECT project_id FROM decision_sets WHERE id = \(set)", logger: logger)
      .decode(UUID.self)
    {
      return id
    }
    throw ValidationError("decision set \(set) is gone")
  }
}
