import GRPCNIOTransportHTTP2

/// Mutual TLS between Edge and the four services: every gRPC server asks for a client
/// certificate and takes only one its CA signed; every client presents its certificate and
/// checks the server's against the same CA (and its name or address). The files are PEM:
/// from `MLOPS_TLS_CA_FILE`, `MLOPS_TLS_CERT_FILE` and `MLOPS_TLS_KEY_FILE` in production,
/// or made by `LocalCertificateAuthority` in the data directory for one machine.
public struct ServiceTLS: Sendable, Equatable {
  public var caFile: String
  public var certificateFile: String
  public var keyFile: String

  public init(caFile: String, certificateFile: String, keyFile: String) {
    self.caFile = caFile
    self.certificateFile = certificateFile
    self.keyFile = keyFile
  }

  public var serverSecurity: HTTP2ServerTransport.Posix.TransportSecurity {
    .mTLS(certificateChain: [.file(path: certificateFile, format: .pem)], privateKey: .file(path: keyFile, format: .pem)) {
      $0.trustRoots = .certificates([.file(path: caFile, format: .pem)])
      // A client certificate names a service, not the host it calls from.
      $0.clientCertificateVerification = .noHostnameVerification
    }
  }

  public var clientSecurity: HTTP2ClientTransport.Posix.TransportSecurity {
    .mTLS(certificateChain: [.file(path: certificateFile, format: .pem)], privateKey: .file(path: keyFile, format: .pem)) {
      $0.trustRoots = .certificates([.file(path: caFile, format: .pem)])
      $0.serverCertificateVerification = .fullVerification
    }
  }
}
