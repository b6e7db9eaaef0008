import ArgumentParser
import Assembly

package struct BenchCommand: AsyncParsableCommand {
  package static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Measure the runtime (build with -c release for figures worth quoting).",
    discussion: """
      Runs against DATABASE_URL, or the embedded PostgreSQL when it is unset, in a scratch \
      database it creates and drops. Prints a table, then one JSON object with the figures as \
      the last line.
      """,
    subcommands: [
      QueueBench.self, GraphBench.self, SSEBench.self, PlannerBench.self, CriticsBench.self, CodegenBench.self, E2EBench.self,
      SecretScanBench.self, RateLimitBench.self, ConsoleBench.self, ChaosBench.self, ScaleBench.self,
    ])

  package init() {}
}
