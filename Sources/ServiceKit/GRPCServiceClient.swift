import GRPCCore
import GRPCNIOTransportHTTP2
import ServiceLifecycle

/// A long-lived gRPC client for one downstream service, whose connections run under
/// ServiceLifecycle. Wrap `client` in a generated `*.Client` to call it.
public final class GRPCServiceClient: Service, Sendable {
  public let service: ServiceName
  public let address: ServiceAddress
  public let client: GRPCClient<HTTP2ClientTransport.Posix>

  public init(service: ServiceName, address: ServiceAddress) throws {
    self.service = service
    self.address = address
    self.client = GRPCClient(
      transport: try .http2NIOPosix(
        target: Self.target(for: address),
        transportSecurity: .plaintext
      )
    )
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
