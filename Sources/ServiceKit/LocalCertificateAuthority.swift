import Crypto
import Foundation
import SwiftASN1
import X509

/// The embedded default's service certificates: a CA made on first use in the data
/// directory (`tls/`, owner-only) and one certificate it signs for every service on this
/// machine (`localhost`, 127.0.0.1 and ::1; server and client use), so `mlops serve`, and
/// services started apart with the same data directory, speak mutual TLS with no setup.
/// Processes that start together race to make it; the folder appears whole or not at all.
public enum LocalCertificateAuthority {
  /// The files, made when the folder does not have them yet.
  public static func ensure(dataDirectory: String) throws -> ServiceTLS {
    let folder = URL(fileURLWithPath: dataDirectory).appending(path: "tls")
    let tls = files(in: folder)
    if FileManager.default.fileExists(atPath: tls.keyFile) { return tls }
    // The data folder itself stays traversable: the embedded PostgreSQL's user needs to reach
    // its cluster inside it. The certificates' own folder is owner-only.
    try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
    let staging = URL(fileURLWithPath: dataDirectory).appending(path: ".tls-\(UUID().uuidString)")
    try FileManager.default.createDirectory(
      at: staging, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
    defer { try? FileManager.default.removeItem(at: staging) }
    for (name, text) in try issue() {
      let written = FileManager.default.createFile(
        atPath: staging.appending(path: name).path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
      guard written else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: name]) }
    }
    // rename(2) of a folder onto one that exists and is not empty fails: the first one made wins.
    if rename(staging.path, folder.path) != 0, !FileManager.default.fileExists(atPath: tls.keyFile) {
      throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: folder.path])
    }
    return tls
  }

  static func files(in folder: URL) -> ServiceTLS {
    ServiceTLS(
      caFile: folder.appending(path: "ca.pem").path, certificateFile: folder.appending(path: "service.pem").path,
      keyFile: folder.appending(path: "service-key.pem").path)
  }

  /// A CA and one service certificate it signs, as PEM files by name. The CA's key is kept
  /// beside them so more certificates can be signed by hand; nothing reads it at run time.
  public static func issue(
    commonName: String = "mlops local service CA", now: Date = Date()
  ) throws -> [(String, String)] {
    let caKey = P256.Signing.PrivateKey()
    let caName = try DistinguishedName { CommonName(commonName) }
    let ca = try Certificate(
      version: .v3, serialNumber: .init(), publicKey: .init(caKey.publicKey),
      notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(10 * 365 * 86_400),
      issuer: caName, subject: caName, signatureAlgorithm: .ecdsaWithSHA256,
      extensions: try Certificate.Extensions {
        Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
        Critical(KeyUsage(keyCertSign: true, cRLSign: true))
      },
      issuerPrivateKey: .init(caKey))
    let serviceKey = P256.Signing.PrivateKey()
    let service = try Certificate(
      version: .v3, serialNumber: .init(), publicKey: .init(serviceKey.publicKey),
      notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(2 * 365 * 86_400),
      issuer: caName, subject: try DistinguishedName { CommonName("mlops service") }, signatureAlgorithm: .ecdsaWithSHA256,
      extensions: try Certificate.Extensions {
        Critical(BasicConstraints.notCertificateAuthority)
        Critical(KeyUsage(digitalSignature: true))
        try ExtendedKeyUsage([.serverAuth, .clientAuth])
        SubjectAlternativeNames([
          .dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
          .ipAddress(ASN1OctetString(contentBytes: ArraySlice([UInt8](repeating: 0, count: 15) + [1]))),
        ])
      },
      issuerPrivateKey: .init(caKey))
    return [
      ("ca.pem", try ca.serializeAsPEM().pemString), ("ca-key.pem", caKey.pemRepresentation),
      ("service.pem", try service.serializeAsPEM().pemString), ("service-key.pem", serviceKey.pemRepresentation),
    ]
  }
}
