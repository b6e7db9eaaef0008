import GRPCCore
import GRPCNIOTransportHTTP2
import ServiceLifecycle

/// A long-lived gRPC client for one downstream service, whose connections run under
/// ServiceLifecycle. Wrap `client` in a generated `*.Client` to call it.
public final class GRPCServiceClient: Service, Sendable {
  public let service: ServiceName
  /// The replicas it calls, round robin (one, unless the configuration lists more).
  public let addresses: [ServiceAddress]
  public var address: ServiceAddress { addresses[0] }
  public let client: GRPCClient<HTTP2ClientTransport.Posix>

  /// Every call has a deadline: `timeout` for the service's methods, or the one named in
  /// `methodTimeouts` (a call that outlives it fails DEADLINE_EXCEEDED instead of holding
  /// its step for ever). With several replicas, a call that finds its replica gone
  /// (UNAVAILABLE) is tried again on another: the services are stateless and deterministic,
  /// so a repeated call is harmless. With one replica it is not: grpc-swift-2's retry of a
  /// call whose only replica was killed mid-call waited on after the replica was back, past
  /// every chaos run's patience (`mlops bench chaos --scenarios service`), so such a call
  /// fails and its step is retried by the job queue instead.
  /// `tls` nil calls in plaintext, which only in-process tests do.
  public convenience init(
    service: ServiceName, address: ServiceAddress, tls: ServiceTLS?, timeout: Duration = .seconds(30),
    methodTimeouts: [String: Duration] = [:]
  ) throws {
    try self.init(service: service, addresses: [address], tls: tls, timeout: timeout, methodTimeouts: methodTimeouts)
  }

  public init(
    service: ServiceName, addresses: [ServiceAddress], tls: ServiceTLS?, timeout: Duration = .seconds(30),
    methodTimeouts: [String: Duration] = [:]
  ) throws {
    precondition(!addresses.isEmpty, "a client needs an address")
    self.service = service
    self.addresses = addresses
    let fullName = Self.fullyQualifiedName(service)
    let retry: RPCExecutionPolicy? =
      addresses.count > 1
      ? .retry(
        RetryPolicy(
          maxAttempts: 3, initialBackoff: .milliseconds(50), maxBackoff: .seconds(1), backoffMultiplier: 2,
          retryableStatusCodes: [.unavailable]))
      : nil
    var methods = [
      MethodConfig(names: [MethodConfig.Name(service: fullName)], timeout: timeout, executionPolicy: retry)
    ]
    for (method, limit) in methodTimeouts.sorted(by: { $0.key < $1.key }) {
      methods.append(
        MethodConfig(
          names: [MethodConfig.Name(service: fullName, method: method)], timeout: limit, executionPolicy: retry))
    }
    self.client = GRPCClient(
      transport: try .http2NIOPosix(
        target: Self.target(for: addresses),
        transportSecurity: tls?.clientSecurity ?? .plaintext,
        serviceConfig: ServiceConfig(
          methodConfig: methods,
          loadBalancingConfig: addresses.count > 1 ? [.roundRobin] : [.pickFirst(shuffleAddressList: false)])
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

  static func target(for addresses: [ServiceAddress]) -> any ResolvableTarget {
    if addresses.count > 1 { return .ipv4(pairs: addresses.map { (host: $0.host, port: $0.port) }) }
    let address = addresses[0]
    if address.isIPv4Literal { return .ipv4(address: address.host, port: address.port) }
    if address.host.contains(":") { return .ipv6(address: address.host, port: address.port) }
    return .dns(host: address.host, port: address.port)
  }
}
