import ArgumentParser
import Assembly
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import ServiceKit

/// Where a service benchmark's calls go: services started in this process on a free
/// loopback port, or a server already running elsewhere (`--address`, e.g. `mlops planner`
/// in its own process, as production runs it). Both over mutual TLS with the process's
/// certificates, as Edge calls them.
enum BenchServer {
  static func withClient<T: Sendable>(
    address: String?, services: @autoclosure () -> [any RegistrableRPCService & NamedService], tls: ServiceTLS,
    logger: Logger, _ body: @Sendable (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> T
  ) async throws -> T {
    if let address {
      guard let target = ServiceAddress(parsing: address) else {
        throw ValidationError("--address must be host:port, not \(address)")
      }
      return try await withGRPCClient(
        transport: .http2NIOPosix(target: .dns(host: target.host, port: target.port), transportSecurity: tls.clientSecurity),
        handleClient: body)
    }
    let host = GRPCServiceHost(
      name: "bench", address: ServiceAddress(host: "127.0.0.1", port: 0), tls: tls, services: services(), logger: logger)
    return try await withThrowingTaskGroup(of: T?.self) { group in
      group.addTask {
        try await host.run()
        return nil
      }
      guard let port = try await host.listeningPort else { throw ValidationError("the services did not start") }
      let result = try await withGRPCClient(
        transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: tls.clientSecurity),
        handleClient: body)
      group.cancelAll()
      return result
    }
  }
}
