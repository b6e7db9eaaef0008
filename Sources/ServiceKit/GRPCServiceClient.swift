import GRPCCore
import GRPCNIOTransportHTTP2
import ServiceLifecycle

/// A long-lived gRPC client for one downstream service, whose connections run under
/// ServiceLifecycle. Wrap `client` in a generated `*.Client` to call it.
public final class GRPCServiceClient: Service, Sendable {
  public let service: ServiceName
  public let address: ServiceAddress
  public let client: GRPCClient<HTTP2ClientTransport.Posix>

  /// Every call has a deadline: `timeout` for the service's methods, or the one named in
  /// `methodTimeouts` (a call that outlives it fails DEADLINE_EXCEEDED instead of holding
  /// its step for ever).
  /// `tls` nil calls in plaintext, which only in-process tests do.
  public init(
    service: ServiceName, address: ServiceAddress, tls: ServiceTLS?, timeout: Duration = .seconds(30),
    methodTimeouts: [String: Duration] = [:]
  ) throws {
    self.service = service
    self.address = address
    let fullName = Self.fullyQualifiedName(service)
    var methods = [MethodConfig(names: [MethodConfig.Name(service: fullName)], timeout: timeout)]
    for (method, limit) in methodTimeouts.sorted(by: { $0.key < $1.key }) {
      methods.append(MethodConfig(names: [MethodConfig.Name(service: fullName, method: method)], timeout: limit))
    }
    self.client = GRPCClient(
      transport: try .http2NIOPosix(
        target: Self.target(for: address),
        transportSecurity: tls?.clientSecurity ?? .plaintext,
        serviceConfig: ServiceConfig(methodConfig: methods)
      ),
      interceptors: [ClientTelemetryInterceptor()]
    )
  }

  static func fullyQualifiedName(_ service: ServiceName) -> String {
    switch service {
    case .planner: "mlops.v1.Planner"
    case .critics: "mlops.v1.Critics"
    case .policy: "mlops.v1.Policy"
    case .codegen: "mlops.v1.Codegen"
    }
  }

  public func run() async throws {
    try await withGracefulShutdownHandler {
      try await client.runConnections()
    } onGracefulShutdown: {
      self.client.beginGracefulShutdown()
    }
  }

  static func target(for address: ServiceAddress) -> any ResolvableTarget {
    if address.isIPv4Literal { return .ipv4(address: address.host, port: address.port) }
    if address.host.contains(":") { return .ipv6(address: address.host, port: address.port) }
    return .dns(host: address.host, port: address.port)
  }
}
