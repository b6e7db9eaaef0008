import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import ServiceLifecycle

/// Runs one gRPC server (HTTP/2 over mutual TLS) with the given services and the standard
/// health service, under ServiceLifecycle: SERVING once it listens, NOT_SERVING and a graceful
/// drain on shutdown. Without a client certificate its CA signed, a caller gets no answer at
/// all, health included.
public final class GRPCServiceHost: Service, Sendable {
  public let name: String
  private let server: GRPCServer<HTTP2ServerTransport.Posix>
  private let health: HealthStatusRegistry
  private let serviceNames: [String]
  private let address: ServiceAddress
  private let logger: Logger
  private let onListening: @Sendable (Int) -> Void

  /// - Parameters:
  ///   - name: what logs call this server, e.g. "planner".
  ///   - address: where to listen; port 0 picks a free one (see `listeningPort`).
  ///   - services: the domain services; each is reported SERVING under its full name.
  ///   - tls: the certificates; nil serves plaintext, which only in-process tests do.
  public init(
    name: String,
    address: ServiceAddress,
    tls: ServiceTLS?,
    services: [any RegistrableRPCService & NamedService],
    logger: Logger,
    onListening: @escaping @Sendable (Int) -> Void = { _ in }
  ) {
    let health = HealthStatusRegistry()
    self.name = name
    self.address = address
    self.health = health
    self.serviceNames = services.map { type(of: $0).serviceName }
    self.logger = logger
    self.onListening = onListening
    self.server = GRPCServer(
      transport: .http2NIOPosix(
        address: Self.bindAddress(for: address),
        transportSecurity: tls?.serverSecurity ?? .plaintext
      ),
      services: services + [HealthService(registry: health)],
      interceptors: [ServerTelemetryInterceptor()]
    )
  }

  public func run() async throws {
    try await withGracefulShutdownHandler {
      try await withThrowingDiscardingTaskGroup { group in
        group.addTask {
          do {
            try await self.server.serve()
          } catch {
            throw CannotListen(service: self.name, address: self.address, underlying: error)
          }
        }
        // When binding fails, `listeningAddress` only says the server stopped; the reason is
        // what `serve()` throws, so that task's error is the one the group reports.
        guard let port = try? await self.listeningPort else { return }
        for service in [""] + self.serviceNames { self.health.set(.serving, for: service) }
        self.logger.info(
          "gRPC server listening", metadata: ["service": "\(self.name)", "port": "\(port)"])
        self.onListening(port)
      }
    } onGracefulShutdown: {
      self.health.shutdown()
      self.server.beginGracefulShutdown()
    }
  }

  static func bindAddress(for address: ServiceAddress) -> SocketAddress {
    if address.host == "localhost" { return .ipv4(host: "127.0.0.1", port: address.port) }
    if address.host.contains(":") { return .ipv6(host: address.host, port: address.port) }
    return .ipv4(host: address.host, port: address.port)
  }

  /// The bound port once the server listens; nil if it failed to bind.
  public var listeningPort: Int? {
    get async throws {
      guard let address = try await server.listeningAddress else { return nil }
      if let ipv4 = address.ipv4 { return ipv4.port }
      if let ipv6 = address.ipv6 { return ipv6.port }
      return nil
    }
  }
}

/// A gRPC server that stopped with an error, named by the service and the address it was given.
public struct CannotListen: Error, CustomStringConvertible {
  public var service: String
  public var address: ServiceAddress
  public var underlying: any Error

  public var description: String { "\(service) could not serve on \(address): \(underlying)" }
}

/// A gRPC service that knows its fully qualified name, so health can report it.
public protocol NamedService {
  static var serviceName: String { get }
}
