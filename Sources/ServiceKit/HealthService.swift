import Contracts
import GRPCCore

/// The standard `grpc.health.v1.Health` service, answering from a `HealthStatusRegistry`.
public struct HealthService: Grpc_Health_V1_Health.SimpleServiceProtocol {
  private let registry: HealthStatusRegistry

  public init(registry: HealthStatusRegistry) {
    self.registry = registry
  }

  public func check(
    request: Grpc_Health_V1_HealthCheckRequest,
    context: ServerContext
  ) async throws -> Grpc_Health_V1_HealthCheckResponse {
    guard let status = registry.status(of: request.service) else {
      throw RPCError(code: .notFound, message: "unknown service \(request.service.debugDescription)")
    }
    return .with { $0.status = status }
  }

  public func list(
    request: Grpc_Health_V1_HealthListRequest,
    context: ServerContext
  ) async throws -> Grpc_Health_V1_HealthListResponse {
    .with { response in
      for (service, status) in registry.all {
        response.statuses[service] = .with { $0.status = status }
      }
    }
  }

  public func watch(
    request: Grpc_Health_V1_HealthCheckRequest,
    response: RPCWriter<Grpc_Health_V1_HealthCheckResponse>,
    context: ServerContext
  ) async throws {
    // gRPC reports a cancelled RPC through the context, not by cancelling this task.
    let watch = registry.watch(request.service)
    try await withRPCCancellationHandler {
      for await status in watch.stream {
        try await response.write(.with { $0.status = status })
      }
    } onCancelRPC: {
      watch.stop()
    }
  }
}
