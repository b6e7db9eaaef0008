import ArgumentParser

struct PlannerCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "planner", abstract: "Serve the Planner over gRPC at MLOPS_PLANNER_ADDR.")
  func run() async throws { try await runGRPCService(.planner) }
}
