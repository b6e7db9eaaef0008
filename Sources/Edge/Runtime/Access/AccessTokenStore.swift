import Crypto
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// The owner of `access_tokens`: personal access tokens for scripts and CI. The secret
/// (`mlops_pat_` and 43 base64url characters, 256 random bits) is returned once, at creation;
/// the table keeps its SHA-256, so a read of the database gives no usable token.
package struct AccessTokenStore: Sendable {
  private let client: PostgresClient
  private let logger: Logger

  package static let prefix = "mlops_pat_"
  /// The `issuer` of a caller who presented a personal access token.
  package static let issuer = "personal-access-token"

  package init(client: PostgresClient, logger: Logger) {
    self.client = client
    self.logger = logger
  }

  /// A token as listed: everything but the secret.
  package struct Token: Sendable, Equatable {
    package var id: UUID
    package var name: String
    package var createdAt: Date
    package var expiresAt: Date
    package var lastUsedAt: Date?
    package var revokedAt: Date?
  }

  /// Makes a token for the caller, good for `lifetime`; returns it with its secret.
  package func create(for owner: Caller, name: String, lifetime: Duration) async throws -> (token: Token, secret: String) {
    let secret = Self.prefix + Base64URL.encode(Data(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }))
    let rows = try await client.guardedQuery(
      """
      INSERT INTO access_tokens (id, owner, owner_name, groups, name, sha256, expires_at)
      VALUES (\(UUID()), \(owner.subject), \(owner.name), \(owner.groups), \(name), \(Self.digest(secret)),
              now() + make_interval(secs => \(Double(lifetime.components.seconds))))
      RETURNING id, name, created_at, expires_at, last_used_at, revoked_at
      """, logger: logger)
    guard let token = try await Self.tokens(rows).first else { throw ProjectStore.StoreError.noRowReturned }
    return (token, secret)
  }

  package func list(owner: String) async throws -> [Token] {
    try await Self.tokens(
      try await client.guardedQuery(
        """
        SELECT id, name, created_at, expires_at, last_used_at, revoked_at FROM access_tokens
        WHERE owner = \(owner) ORDER BY created_at, id
        """, logger: logger))
  }

  /// Revokes the owner's token; nil when the owner has no such token (another's is not told apart).
  package func revoke(_ id: UUID, owner: String) async throws -> Token? {
    try await Self.tokens(
      try await client.guardedQuery(
        """
        UPDATE access_tokens SET revoked_at = COALESCE(revoked_at, now())
        WHERE id = \(id) AND owner = \(owner)
        RETURNING id, name, created_at, expires_at, last_used_at, revoked_at
        """, logger: logger)
    ).first
  }

  /// The caller a presented secret stands for, in one statement that also notes its use;
  /// nil for an unknown, revoked or expired token.
  package func caller(presenting secret: String) async throws -> Caller? {
    guard secret.hasPrefix(Self.prefix), secret.utf8.count <= 100 else { return nil }
    let rows = try await client.guardedQuery(
      """
      UPDATE access_tokens SET last_used_at = now()
      WHERE sha256 = \(Self.digest(secret)) AND revoked_at IS NULL AND expires_at > now()
      RETURNING owner, owner_name, groups, expires_at
      """, logger: logger)
    for try await (owner, name, groups, expires) in rows.decode((String, String, [String], Date).self) {
      return Caller(issuer: Self.issuer, subject: owner, name: name, groups: groups, expiresAt: expires)
    }
    return nil
  }

  static func digest(_ secret: String) -> String {
    SHA256.hash(data: Data(secret.utf8)).lowercaseHex
  }

  private static func tokens(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> [Token] {
    var tokens: [Token] = []
    for try await (id, name, created, expires, used, revoked) in rows.decode((UUID, String, Date, Date, Date?, Date?).self) {
      tokens.append(
        Token(id: id, name: name, createdAt: created, expiresAt: expires, lastUsedAt: used, revokedAt: revoked))
    }
    return tokens
  }
}
