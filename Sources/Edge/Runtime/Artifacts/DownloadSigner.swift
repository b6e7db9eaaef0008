import Crypto
import Foundation
import ServiceKit

/// Download links for the local store:
/// `/downloads/{key}?expires={unix seconds}&by={subject, base64url}&signature={hex}` where the
/// signature is HMAC-SHA256 over `{key}\n{expires}\n{by}` with the Edge's secret. The key names
/// the project, `by` the caller the link was issued to (for the audit trail). A link works
/// until it expires; a changed key, time, caller or signature gets 403.
package struct DownloadSigner: Sendable {
  package enum Refusal: Error, Equatable, CustomStringConvertible {
    case malformed, expired, badSignature
    package var description: String {
      switch self {
      case .malformed: "the link is incomplete"
      case .expired: "the link has expired"
      case .badSignature: "the link's signature does not match"
      }
    }
  }

  package static let routePrefix = "downloads"
  let key: SymmetricKey

  package init(secret: Data) {
    key = SymmetricKey(data: secret)
  }

  /// MLOPS_DOWNLOAD_SECRET when set, else a random secret kept in `{data}/download-secret`
  /// (created on first use, readable by its owner only). Every Edge process that serves
  /// downloads needs the same secret.
  package static func load(secret: String?, dataDirectory: String) throws -> DownloadSigner {
    if let secret { return DownloadSigner(secret: Data(secret.utf8)) }
    let file = URL(fileURLWithPath: dataDirectory).appending(path: "download-secret")
    if let existing = try? Data(contentsOf: file), existing.count >= 32 { return DownloadSigner(secret: existing) }
    try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
    let fresh = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
    try fresh.write(to: file, options: .withoutOverwriting)
    try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
    return DownloadSigner(secret: try Data(contentsOf: file))
  }

  /// The path and query of a link to `artifact` for `subject` that works until `expires`.
  package func link(for artifact: ArtifactKey, expires: Date, by subject: String) -> String {
    let seconds = Int(saturating: expires.timeIntervalSince1970)
    let by = Base64URL.encode(Data(subject.utf8))
    return "/\(Self.routePrefix)/\(artifact.path)?expires=\(seconds)&by=\(by)"
      + "&signature=\(signature(artifact.path, seconds, by))"
  }

  /// The artifact a link names and the subject it was issued to.
  package func verify(
    path: String, expires: String?, by: String?, signature: String?, now: Date = Date()
  ) throws(Refusal) -> (artifact: ArtifactKey, subject: String) {
    guard let expires, let seconds = Int(expires), let signature, let given = Self.bytes(hex: signature),
      let artifact = try? ArtifactKey(path), let by, by.utf8.count <= 400,
      let subject = Base64URL.decode(Substring(by)).flatMap({ String(data: $0, encoding: .utf8) })
    else { throw .malformed }
    let message = Data("\(path)\n\(seconds)\n\(by)".utf8)
    guard HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: message, using: key) else { throw .badSignature }
    guard Double(seconds) > now.timeIntervalSince1970 else { throw .expired }
    return (artifact, subject)
  }

  func signature(_ path: String, _ seconds: Int, _ by: String) -> String {
    HMAC<SHA256>.authenticationCode(for: Data("\(path)\n\(seconds)\n\(by)".utf8), using: key).lowercaseHex
  }

  static func bytes(hex: String) -> Data? {
    guard hex.utf8.count == 64, let bytes = [UInt8](hexadecimal: hex) else { return nil }
    return Data(bytes)
  }
}
