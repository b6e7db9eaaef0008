/// The four stateless gRPC services, with the environment variable and default loopback
/// port each is reached at.
public enum ServiceName: String, CaseIterable, Sendable, CustomStringConvertible {
  case planner
  case critics
  case policy
  case codegen

  public var description: String { rawValue }

  /// `MLOPS_PLANNER_ADDR` and so on.
  public var addressVariable: String { "MLOPS_\(rawValue.uppercased())_ADDR" }

  public var defaultPort: Int {
    switch self {
    case .planner: 50051
    case .critics: 50052
    case .policy: 50053
    case .codegen: 50054
    }
  }

  /// The fully qualified gRPC service name its health status is reported under.
  public var grpcServiceName: String {
    switch self {
    case .planner: "mlops.v1.Planner"
    case .critics: "mlops.v1.Critics"
    case .policy: "mlops.v1.Policy"
    case .codegen: "mlops.v1.Codegen"
    }
  }
}
