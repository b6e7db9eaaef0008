import Foundation
import TestSupport
import Testing

/// Each benchmark runs end to end at a small size and ends with its JSON line, so the
/// commands quoted in issues and notes keep working. The figures are not checked here.
@Suite struct BenchSmokeTests {
  static func bench(_ arguments: [String]) async throws -> [String: Any] {
    let directory = try ServeTests.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = try #require(ProcessInfo.processInfo.environment["MLOPS_TEST_DATABASE_URL"], "scripts/test sets it")
    let process = try MLOpsProcess(["bench"] + arguments, environment: ["DATABASE_URL": url], workingDirectory: directory)
    #expect(await process.waitForExit(timeout: .seconds(120)) == 0, "\(process.output)\n\(process.errors)")
    let last = try #require(process.output.split(separator: "\n").last)
    return try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
  }

  @Test func queue() async throws {
    let figures = try await Self.bench(["queue", "--jobs", "200", "--workers", "1,2"])
    #expect(figures["benchmark"] as? String == "queue")
  }

  @Test func graph() async throws {
    let figures = try await Self.bench(["graph", "--runs", "6", "--concurrency", "1,2"])
    #expect(figures["benchmark"] as? String == "graph")
    #expect(figures["mlops_cpu_ms_per_run_c2"] is Double)
    #expect(figures["postgres_cpu_ms_per_run_c2"] is Double, "the test database runs on this host, so its CPU is read")
  }

  @Test func plannerAndCritics() async throws {
    #expect(try await Self.bench(["planner", "--calls", "5"])["benchmark"] as? String == "planner")
    #expect(try await Self.bench(["critics", "--calls", "5"])["benchmark"] as? String == "critics")
    let scan = try await Self.bench(["secret-scan", "--rounds", "1"])
    #expect(scan["benchmark"] as? String == "secret-scan")
    #expect((scan["scan_200kb_ms"] as? Double) != nil)
    let codegen = try await Self.bench(["codegen", "--rounds", "3", "--no-validators"])
    #expect(codegen["benchmark"] as? String == "codegen")
    #expect((codegen["generate_p50_ms"] as? Double ?? 0) > 0)
    let e2e = try await Self.bench(["e2e", "--runs", "2", "--concurrency", "1,2"])
    #expect(e2e["benchmark"] as? String == "e2e")
    #expect((e2e["c2_plans_per_s"] as? Double ?? 0) > 0)
    #expect((e2e["transactions_per_plan"] as? Double ?? 0) > 5, "a plan takes a commit a step, at least")
    #expect(e2e["c2_postgres_cpu_ms_per_plan"] is Double)
  }

  @Test func rateLimit() async throws {
    let figures = try await Self.bench(["ratelimit", "--calls", "30", "--per-caller", "10", "--callers", "4"])
    #expect(figures["benchmark"] as? String == "ratelimit")
    #expect((figures["take_p50_ms"] as? Double ?? 0) > 0)
    #expect((figures["takes_per_second_hot_bucket"] as? Int ?? 0) > 0)
  }

  @Test func console() async throws {
    let figures = try await Self.bench(["console", "--rounds", "3", "--cards", "5"])
    #expect(figures["benchmark"] as? String == "console")
    #expect((figures["html_bytes"] as? Int ?? 0) > 10_000)
  }

  @Test func sse() async throws {
    let figures = try await Self.bench(["sse", "--streams", "20", "--events", "40", "--rate", "400"])
    #expect(figures["received"] as? Int == 40, "every event reached its stream")
  }
}
