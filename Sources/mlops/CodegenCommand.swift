import ArgumentParser

struct CodegenCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "codegen", abstract: "Serve Codegen over gRPC at MLOPS_CODEGEN_ADDR.")
  func run() async throws { try await runGRPCService(.codegen) }
}
