import ArgumentParser
import Assembly
import EdgeRuntime
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// What the API's rate limiter costs a request: one take from a PostgreSQL token bucket,
/// against a bare `SELECT 1` round trip on the same pool, sequentially (p50/p95) and with
/// 16 callers at once, each on a bucket of its own or all on one hot bucket (a busy project).
struct RateLimitBench: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ratelimit", abstract: "Per-request cost of the shared rate limiter (a PostgreSQL token bucket).")

  @Option(help: "Sequential calls measured per kind.") var calls = 2_000
  @Option(help: "Calls per caller in the concurrent rounds.") var perCaller = 500
  @Option(help: "Concurrent callers.") var callers = 16

  func run() async throws {
    let environment = try ProcessEnvironment.load(label: "bench")
    let (calls, perCaller, callers) = (self.calls, self.perCaller, self.callers)
    let logger = environment.logger
    let figures = try await BenchDatabase.withScratch(environment: environment) { client in
      let limiter = RateLimiter(client: client, logger: logger)
      // Large enough that nothing is refused: the cost measured is the take itself.
      let policy = RateLimiter.Policy(name: "caller", quota: 100_000_000, windowSeconds: 60)
      let samples = try await timedRounds(calls) { index in
        let (_, bare) = try await timed { try await client.query("SELECT 1", logger: logger) }
        let (_, take) = try await timed { try await limiter.take("bench:sequential", policy: policy) }
        return [("select_1", bare), ("take", take)]
      }
      func concurrent(hot: Bool) async throws -> Double {
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
          for caller in 0..<callers {
            group.addTask {
              for _ in 0..<perCaller {
                _ = try await limiter.take(hot ? "bench:hot" : "bench:caller-\(caller)", policy: policy)
              }
            }
          }
          try await group.waitForAll()
        }
        return Double(callers * perCaller) / ((ContinuousClock.now - started).milliseconds / 1000)
      }
      let spread = try await concurrent(hot: false)
      let hot = try await concurrent(hot: true)
      return (samples, spread, hot)
    }
    let (samples, spread, hot) = figures
    let bare = Percentiles(samples["select_1"] ?? [])
    let take = Percentiles(samples["take"] ?? [])
    Console.line("ratelimit: one token-bucket take (INSERT ... ON CONFLICT DO UPDATE) per request, \(calls) sequential calls")
    printTable(
      ["call", "p50 ms", "p95 ms", "p99 ms"],
      [
        [
          "SELECT 1 (a bare round trip)", formatted(bare.value(50), 3), formatted(bare.value(95), 3),
          formatted(bare.value(99), 3),
        ],
        ["take", formatted(take.value(50), 3), formatted(take.value(95), 3), formatted(take.value(99), 3)],
      ])
    printTable(
      ["\(callers) callers at once", "takes/s"],
      [["a bucket each", formatted(spread, 0)], ["one hot bucket", formatted(hot, 0)]])
    Console.line(
      jsonLine([
        "benchmark": "ratelimit", "calls": calls, "callers": callers,
        "select_1_p50_ms": (bare.value(50) * 1000).rounded() / 1000, "take_p50_ms": (take.value(50) * 1000).rounded() / 1000,
        "take_p95_ms": (take.value(95) * 1000).rounded() / 1000,
        "take_added_p50_ms": ((take.value(50) - bare.value(50)) * 1000).rounded() / 1000,
        "takes_per_second_spread": Int(spread.rounded()), "takes_per_second_hot_bucket": Int(hot.rounded()),
      ]))
  }
}
