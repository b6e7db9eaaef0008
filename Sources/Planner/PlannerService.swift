import Contracts
import GRPCCore
import ServiceKit

/// The Planner's gRPC face. Intake extraction, coverage and plan composition land with
/// issue #5; until then each RPC answers UNIMPLEMENTED.
public struct PlannerService: Mlops_V1_Planner.SimpleServiceProtocol, NamedService {
  public static let serviceName = Mlops_V1_Planner.descriptor.fullyQualifiedService

  public init() {}

  public func extractConstraints(
    request: Mlops_V1_ExtractConstraintsRequest,
    context: ServerContext
  ) async throws -> Mlops_V1_ExtractConstraintsResponse {
    throw RPCError.unimplemented("Planner.ExtractConstraints", tracking: "issue #5")
  }

  public func checkCoverage(
    request: Mlops_V1_CheckCoverageRequest,
    context: ServerContext
  ) async throws -> Mlops_V1_CheckCoverageResponse {
    throw RPCError.unimplemented("Planner.CheckCoverage", tracking: "issue #5")
  }

  public func composePlan(
    request: Mlops_V1_ComposePlanRequest,
    context: ServerContext
  ) async throws -> Mlops_V1_ComposePlanResponse {
    throw RPCError.unimplemented("Planner.ComposePlan", tracking: "issue #5")
  }
}
