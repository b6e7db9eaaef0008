import Contracts
import GRPCCore
import ServiceKit

/// The Planner's gRPC face: each RPC hands its request to `PlannerEngine`.
public struct PlannerService: Mlops_V1_Planner.SimpleServiceProtocol, NamedService {
  public static let serviceName = Mlops_V1_Planner.descriptor.fullyQualifiedService

  let engine: PlannerEngine

  public init(engine: PlannerEngine = PlannerEngine()) {
    self.engine = engine
  }

  public func extractConstraints(
    request: Mlops_V1_ExtractConstraintsRequest,
    context: ServerContext
  ) async throws -> Mlops_V1_ExtractConstraintsResponse {
    try request.requireValid()
    guard !request.brief.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
      throw RPCError(code: .invalidArgument, message: "the brief is empty; describe the ML system in a few sentences")
    }
    return try await engine.extract(request)
  }

  public func checkCoverage(
    request: Mlops_V1_CheckCoverageRequest,
    context: ServerContext
  ) async throws -> Mlops_V1_CheckCoverageResponse {
    try request.requireValid()
    return engine.checkCoverage(request)
  }

  public func composePlan(
    request: Mlops_V1_ComposePlanRequest,
    context: ServerContext
  ) async throws -> Mlops_V1_ComposePlanResponse {
    try request.requireValid()
    return engine.composePlan(request)
  }
}
