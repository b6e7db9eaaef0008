import Crypto
import Foundation
import ServiceKit

/// A short-lived ticket that opens one decision set's event stream at `/streams/{id}`, for
/// clients that cannot send an Authorization header (a browser's EventSource). An
/// authorized request gets it; it names the decision set and the caller, and is
/// HMAC-SHA256 signed with the Edge's link secret: `{expires}.{subject, base64url}.{hex}`.
package struct StreamTicket: Sendable, Equatable {
  package var decisionSetID: UUID
  package var subject: String
  package var expires: Date

  package init(decisionSetID: UUID, subject: String, expires: Date) {
    self.decisionSetID = decisionSetID
    self.subject = subject
    self.expires = expires
  }

  package enum Refusal: Error, Equatable, CustomStringConvertible {
    case malformed, expired, badSignature
    package var description: String {
      switch self {
      case .malformed: "the stream ticket is malformed"
      case .expired: "the stream ticket has expired; ask for a new one"
      case .badSignature: "the stream ticket is not one this server issued for this decision set"
      }
    }
  }

  package func token(signedWith signer: DownloadSigner) -> String {
    let seconds = Int(saturating: expires.timeIntervalSince1970)
    let name = Base64URL.encode(Data(subject.utf8))
    return "\(seconds).\(name).\(Self.signature(decisionSetID, name, seconds, signer))"
  }

  package static func verify(
    _ token: String, for decisionSetID: UUID, signedWith signer: DownloadSigner, now: Date = Date()
  ) throws(Refusal) -> StreamTicket {
    let parts = token.split(separator: ".", omittingEmptySubsequences: false)
    guard token.utf8.count <= 1024, parts.count == 3, let seconds = Int(parts[0]),
      let given = DownloadSigner.bytes(hex: String(parts[2])),
      let subject = Base64URL.decode(parts[1]).flatMap({ String(data: $0, encoding: .utf8) })
    else { throw .malformed }
    let message = Data(Self.message(decisionSetID, String(parts[1]), seconds).utf8)
    guard HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: message, using: signer.key) else {
      throw .badSignature
    }
    guard Double(seconds) > now.timeIntervalSince1970 else { throw .expired }
    return StreamTicket(
      decisionSetID: decisionSetID, subject: subject, expires: Date(timeIntervalSince1970: Double(seconds)))
  }

  private static func message(_ id: UUID, _ name: String, _ seconds: Int) -> String {
    "stream\n\(id.lowercaseString)\n\(name)\n\(seconds)"
  }

  private static func signature(_ id: UUID, _ name: String, _ seconds: Int, _ signer: DownloadSigner) -> String {
    HMAC<SHA256>.authenticationCode(for: Data(message(id, name, seconds).utf8), using: signer.key).lowercaseHex
  }
}
