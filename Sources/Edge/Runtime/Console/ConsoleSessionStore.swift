import Crypto
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// The owner of `console_codes` and `console_sessions`: the embedded issuer's one-time
/// authorization codes (bound to a PKCE challenge) and the sessions a browser holds by
/// cookie. A session keeps the access token it was opened with, so each page is authorised
/// exactly as the API would authorise that token, and a CSRF token its forms must echo.
package struct ConsoleSessionStore: Sendable {
  private let client: PostgresClient
  private let logger: Logger

  package init(client: PostgresClient, logger: Logger) {
    self.client = client
    self.logger = logger
  }

  package struct Session: Sendable, Equatable {
    package var token: String
    package var csrf: String
    package var expiresAt: Date
  }

  /// A fresh random secret, URL-safe (codes, session ids, CSRF tokens, PKCE verifiers).
  package static func secret() -> String {
    Base64URL.encode(Data(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }))
  }

  static func digest(_ text: String) -> String { AccessTokenStore.digest(text) }

  /// The PKCE S256 challenge of `verifier` (RFC 7636).
  package static func challenge(of verifier: String) -> String {
    Base64URL.encode(Data(SHA256.hash(data: Data(verifier.utf8))))
  }

  // MARK: Codes (the embedded issuer)

  package func issueCode(subject: String, name: String, challenge: String, redirectURI: String) async throws -> String {
    let code = Self.secret()
    try await client.guardedQuery(
      """
      INSERT INTO console_codes (code_sha256, subject, name, challenge, redirect_uri, expires_at)
      VALUES (\(Self.digest(code)), \(subject), \(name), \(challenge), \(redirectURI), now() + interval '1 minute')
      """, logger: logger)
    return code
  }

  /// Redeems a code once: it must be unexpired, sent back to the redirect URI it was issued
  /// for, with the verifier whose challenge it carries. Any failure spends the code too.
  package func redeemCode(_ code: String, verifier: String, redirectURI: String) async throws -> (
    subject: String, name: String
  )? {
    let rows = try await client.guardedQuery(
      """
      DELETE FROM console_codes WHERE code_sha256 = \(Self.digest(code))
      RETURNING subject, name, challenge, redirect_uri, expires_at > now()
      """, logger: logger)
    for try await (subject, name, challenge, redirect, fresh) in rows.decode((String, String, String, String, Bool).self) {
      guard fresh, redirect == redirectURI, Self.challenge(of: verifier) == challenge else { return nil }
      return (subject, name)
    }
    return nil
  }

  // MARK: Sessions

  /// Opens a session for a verified token; returns the cookie's value.
  package func open(token: String, subject: String, expiresAt: Date) async throws -> String {
    let id = Self.secret()
    try await client.guardedQuery(
      """
      INSERT INTO console_sessions (id_sha256, token, csrf, subject, expires_at)
      VALUES (\(Self.digest(id)), \(token), \(Self.secret()), \(subject), \(expiresAt))
      """, logger: logger)
    try await client.guardedQuery("DELETE FROM console_sessions WHERE expires_at < now() - interval '1 day'", logger: logger)
    return id
  }

  package func session(_ id: String) async throws -> Session? {
    let rows = try await client.guardedQuery(
      "SELECT token, csrf, expires_at FROM console_sessions WHERE id_sha256 = \(Self.digest(id)) AND expires_at > now()",
      logger: logger)
    for try await (token, csrf, expires) in rows.decode((String, String, Date).self) {
      return Session(token: token, csrf: csrf, expiresAt: expires)
    }
    return nil
  }

  package func close(_ id: String) async throws {
    try await client.guardedQuery("DELETE FROM console_sessions WHERE id_sha256 = \(Self.digest(id))", logger: logger)
  }
}
