import Contracts
import GRPCCore
import ServiceKit

/// The Critics' gRPC face. The technical and cost critics land with issue #6; until then
/// each RPC answers UNIMPLEMENTED.
public struct CriticsService: Mlops_V1_Critics.SimpleServiceProtocol, NamedService {
  public static let serviceName = Mlops_V1_Critics.descriptor.fullyQualifiedService

  public init() {}

  public func reviewTechnical(
    request: Mlops_V1_ReviewTechnicalRequest,
    context: ServerContext
  ) async throws -> Mlops_V1_ReviewTechnicalResponse {
    throw RPCError.unimplemented("Critics.ReviewTechnical", tracking: "issue #6")
  }

  public func estimateCost(
    request: Mlops_V1_EstimateCostRequest,
    context: ServerContext
  ) async throws -> Mlops_V1_EstimateCostResponse {
    throw RPCError.unimplemented("Critics.EstimateCost", tracking: "issue #6")
  }
}
