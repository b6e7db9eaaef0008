import Codegen
import Critics
import GRPCCore
import Logging
import Planner
import Policy
import ServiceKit

/// Which domain service each gRPC process serves.
enum DomainServices {
  static func make(_ name: ServiceName) -> any RegistrableRPCService & NamedService {
    switch name {
    case .planner: PlannerService()
    case .critics: CriticsService()
    case .policy: PolicyService()
    case .codegen: CodegenService()
    }
  }

  static func host(_ name: ServiceName, configuration: Configuration, logger: Logger) -> GRPCServiceHost {
    let address = configuration.address(of: name)
    return GRPCServiceHost(
      name: name.rawValue, address: address, services: [make(name)], logger: logger,
      onListening: { port in Console.line("\(name.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) grpc://\(address.host):\(port)") }
    )
  }
}
