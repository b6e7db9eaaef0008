import ArgumentParser

struct PolicyCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "policy", abstract: "Serve the policy engine over gRPC at MLOPS_POLICY_ADDR.")
  func run() async throws { try await runGRPCService(.policy) }
}
