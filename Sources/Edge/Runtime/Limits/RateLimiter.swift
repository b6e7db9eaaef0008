import Foundation
import Logging
import PostgresNIO

/// Token buckets in PostgreSQL, so every API replica draws from the same ones: a bucket of
/// `quota` requests refills continuously over `windowSeconds`, and one request takes one
/// token. One statement per request: the bucket is created full, refilled for the time since
/// it was last touched, and charged only when it holds a whole token.
package struct RateLimiter: Sendable {
  /// A quota as `RateLimit-Policy` names it: `quota` requests per `windowSeconds`.
  package struct Policy: Sendable, Equatable {
    package var name: String
    package var quota: Int
    package var windowSeconds: Int

    package init(name: String, quota: Int, windowSeconds: Int) {
      self.name = name
      self.quota = max(1, quota)
      self.windowSeconds = max(1, windowSeconds)
    }

    var refillPerSecond: Double { Double(quota) / Double(windowSeconds) }
  }

  package struct Decision: Sendable, Equatable {
    package var policy: Policy
    package var allowed: Bool
    /// Whole requests left in the bucket.
    package var remaining: Int
    /// Seconds until the bucket is full again.
    package var resetSeconds: Int
    /// Seconds until one more request is allowed (0 when this one was).
    package var retryAfterSeconds: Int
  }

  private let client: PostgresClient
  private let logger: Logger

  package init(client: PostgresClient, logger: Logger) {
    self.client = client
    self.logger = logger
  }

  /// Takes one token from `key`'s bucket under `policy`.
  package func take(_ key: String, policy: Policy) async throws -> Decision {
    let quota = Double(policy.quota)
    let rate = policy.refillPerSecond
    let rows = try await client.guardedQuery(
      """
      INSERT INTO rate_limit_buckets AS b (key, tokens, allowed, updated_at)
      VALUES (\(key), \(quota - 1), true, now())
      ON CONFLICT (key) DO UPDATE SET (tokens, allowed, updated_at) = (
        SELECT CASE WHEN r.refilled >= 1 THEN r.refilled - 1 ELSE r.refilled END, r.refilled >= 1, now()
        FROM (SELECT LEAST(\(quota), b.tokens + GREATEST(0, EXTRACT(EPOCH FROM now() - b.updated_at)::float8) * \(rate))
          AS refilled) AS r)
      RETURNING tokens, allowed
      """, logger: logger)
    for try await (tokens, allowed) in rows.decode((Double, Bool).self) {
      return Self.decision(policy: policy, tokens: tokens, allowed: allowed)
    }
    return Self.decision(policy: policy, tokens: quota - 1, allowed: true)
  }

  static func decision(policy: Policy, tokens: Double, allowed: Bool) -> Decision {
    let rate = policy.refillPerSecond
    return Decision(
      policy: policy, allowed: allowed, remaining: max(0, Int(tokens.rounded(.down))),
      resetSeconds: max(0, Int(((Double(policy.quota) - tokens) / rate).rounded(.up))),
      retryAfterSeconds: allowed ? 0 : max(1, Int(((1 - tokens) / rate).rounded(.up))))
  }
}
