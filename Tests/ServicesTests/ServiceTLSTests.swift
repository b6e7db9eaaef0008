import Contracts
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import Planner
import ServiceKit
import Testing

/// The services answer only callers with a certificate their CA signed: a plaintext caller, a
/// TLS caller without a certificate, and one whose certificate another CA signed get nothing
/// (not even health), and a client refuses a server whose certificate its CA did not sign.
@Suite struct ServiceTLSTests {
  static func localCA() throws -> ServiceTLS {
    let folder = FileManager.default.temporaryDirectory.appending(path: "mlops-tls-\(UUID())").path
    return try LocalCertificateAuthority.ensure(dataDirectory: folder)
  }

  /// Whether health answers SERVING; the refusals come at once, and the generous deadline is
  /// for the accepted handshake on a machine busy with the whole suite.
  static func health(port: Int, _ security: HTTP2ClientTransport.Posix.TransportSecurity) async throws -> Bool {
    try await withGRPCClient(
      transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: security)
    ) { client in
      var options = CallOptions.defaults
      options.timeout = .seconds(30)
      do {
        let reply = try await Grpc_Health_V1_Health.Client(wrapping: client).check(
          .with { $0.service = "" }, options: options)
        return reply.status == .serving
      } catch let error as RPCError {
        #expect(error.code == .unavailable || error.code == .deadlineExceeded, "\(error)")
        return false
      }
    }
  }

  @Test func onlyACertificateTheCASignedIsAnswered() async throws {
    let tls = try Self.localCA()
    let other = try Self.localCA()
    let host = GRPCServiceHost(
      name: "planner", address: ServiceAddress(host: "127.0.0.1", port: 0), tls: tls, services: [PlannerService()],
      logger: Logger(label: "test"))
    try await withThrowingTaskGroup { group in
      group.addTask { try await host.run() }
      let port = try #require(try await host.listeningPort)
      // A machine busy with the whole suite can drop a first handshake: the accepted caller
      // may try three times; every refusal below is a single try.
      var answered = false
      for _ in 0..<3 where !answered { answered = try await Self.health(port: port, tls.clientSecurity) }
      #expect(answered, "the right certificate is answered")
      #expect(try await !Self.health(port: port, .plaintext), "plaintext")
      let noCertificate = HTTP2ClientTransport.Posix.TransportSecurity.tls {
        $0.trustRoots = .certificates([.file(path: tls.caFile, format: .pem)])
      }
      #expect(try await !Self.health(port: port, noCertificate), "TLS without a client certificate")
      #expect(try await !Self.health(port: port, other.clientSecurity), "a certificate another CA signed")
      // And the other way: a client that trusts only its own CA does not talk to this server.
      let mixed = ServiceTLS(caFile: other.caFile, certificateFile: tls.certificateFile, keyFile: tls.keyFile)
      #expect(try await !Self.health(port: port, mixed.clientSecurity), "a server another CA signed")
      group.cancelAll()
    }
  }

  @Test func processesStartingTogetherShareOneLocalCA() async throws {
    let folder = FileManager.default.temporaryDirectory.appending(path: "mlops-tls-race-\(UUID())").path
    let made = try await withThrowingTaskGroup(of: String.self) { group in
      for _ in 0..<8 {
        group.addTask {
          try String(contentsOfFile: try LocalCertificateAuthority.ensure(dataDirectory: folder).caFile, encoding: .utf8)
        }
      }
      var texts: Set<String> = []
      for try await text in group { texts.insert(text) }
      return texts
    }
    #expect(made.count == 1, "every caller got the CA that won")
    let mode = try FileManager.default.attributesOfItem(atPath: folder + "/tls/service-key.pem")[.posixPermissions] as? Int
    #expect(mode == 0o600)
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix(".tls-") }
    #expect(leftovers.isEmpty)
  }
}
