import ArgumentParser

struct CriticsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "critics", abstract: "Serve the technical and cost critics over gRPC at MLOPS_CRITICS_ADDR.")
  func run() async throws { try await runGRPCService(.critics) }
}
