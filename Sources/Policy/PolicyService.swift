import Contracts
import GRPCCore
import ServiceKit

/// The policy engine's gRPC face. Rule packs and the evaluator land with issue #6; until
/// then Evaluate answers UNIMPLEMENTED.
public struct PolicyService: Mlops_V1_Policy.SimpleServiceProtocol, NamedService {
  public static let serviceName = Mlops_V1_Policy.descriptor.fullyQualifiedService

  public init() {}

  public func evaluate(
    request: Mlops_V1_EvaluatePolicyRequest,
    context: ServerContext
  ) async throws -> Mlops_V1_EvaluatePolicyResponse {
    throw RPCError.unimplemented("Policy.Evaluate", tracking: "issue #6")
  }
}
