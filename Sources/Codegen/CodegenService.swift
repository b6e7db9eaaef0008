import Contracts
import GRPCCore
import ServiceKit

/// Codegen's gRPC face. Templates, the bundle and the validators land with issue #7; until
/// then each RPC answers UNIMPLEMENTED.
public struct CodegenService: Mlops_V1_Codegen.SimpleServiceProtocol, NamedService {
  public static let serviceName = Mlops_V1_Codegen.descriptor.fullyQualifiedService

  public init() {}

  public func generate(
    request: Mlops_V1_GenerateRequest,
    response: RPCWriter<Mlops_V1_GenerateResponse>,
    context: ServerContext
  ) async throws {
    throw RPCError.unimplemented("Codegen.Generate", tracking: "issue #7")
  }

  public func validate(
    request: Mlops_V1_ValidateRequest,
    context: ServerContext
  ) async throws -> Mlops_V1_ValidateResponse {
    throw RPCError.unimplemented("Codegen.Validate", tracking: "issue #7")
  }
}
