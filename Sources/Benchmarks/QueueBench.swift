import ArgumentParser
import Assembly
import EdgeAPI
import EdgeRuntime
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Claim + complete throughput of the job queue with 1, 2 and 4 concurrent workers.
struct QueueBench: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "queue", abstract: "Job queue claim + complete throughput with 1, 2 and 4 workers.")

  @Option(help: "Jobs per round.") var jobs = 20_000
  @Option(help: "Jobs claimed per query.") var batch = 25
  @Option(help: "Worker counts to measure, comma-separated.") var workers = "1,2,4"

  func run() async throws {
    let environment = try ProcessEnvironment.load(label: "bench")
    let counts = workers.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    let jobs = self.jobs
    let batch = self.batch
    let results = try await BenchDatabase.withScratch(environment: environment) { client in
      let queue = JobQueue(client: client, logger: environment.logger)
      var results: [(workers: Int, seconds: Double, jobs: Int)] = []
      for workerCount in counts {
        try await Self.fill(client, jobs: jobs, logger: environment.logger)
        let start = ContinuousClock.now
        let done = try await withThrowingTaskGroup(of: Int.self) { group in
          for index in 0..<workerCount {
            group.addTask {
              var completed = 0
              while true {
                let claimed = try await queue.claim(owner: "bench-\(index)", limit: batch, lease: .seconds(60))
                if claimed.isEmpty { return completed }
                completed += try await queue.completeBatch(claimed.map(\.id), owner: "bench-\(index)").count
              }
            }
          }
          return try await group.reduce(0, +)
        }
        let elapsed = (ContinuousClock.now - start).milliseconds / 1000
        results.append((workerCount, elapsed, done))
      }
      return results
    }

    Console.line("queue: claim (batches of \(batch), FOR UPDATE SKIP LOCKED) + batched complete, \(jobs) jobs a round")
    printTable(
      ["workers", "jobs", "seconds", "jobs/s"],
      results.map { [String($0.workers), String($0.jobs), formatted($0.seconds, 3), formatted(Double($0.jobs) / $0.seconds, 0)] })
    var figures: [String: Any] = ["benchmark": "queue", "batch": batch, "jobs": jobs]
    for result in results {
      figures["jobs_per_second_\(result.workers)_workers"] = Int(saturating: (Double(result.jobs) / result.seconds).rounded())
    }
    Console.line(jsonLine(figures))
  }

  /// Empties the queue and enqueues `jobs` ready jobs, each on its own decision set.
  static func fill(_ client: PostgresClient, jobs: Int, logger: Logger) async throws {
    try await client.query("TRUNCATE jobs, decision_sets, projects CASCADE", logger: logger)
    let project = UUID()
    try await client.query("INSERT INTO projects (id, name) VALUES (\(project), 'bench')", logger: logger)
    try await client.query(
      """
      WITH sets AS (
        INSERT INTO decision_sets (id, project_id, brief)
        SELECT gen_random_uuid(), \(project), 'bench' FROM generate_series(1, \(jobs))
        RETURNING id)
      INSERT INTO jobs (kind, thread_id, project_id, idem_key)
      SELECT 'bench', id, \(project), 'bench:' || id FROM sets
      """, logger: logger)
    try await client.query("VACUUM ANALYZE jobs", logger: logger)
  }
}
