import Crypto
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import PostgresNIO

/// What each caller's `Idempotency-Key`s were first answered with. A key is claimed before
/// its request runs, so two copies of one request racing each other run it once: the second
/// is told the first is still in progress.
package struct IdempotencyStore: Sendable {
  /// How long a key and its answer are kept.
  package static let retention: Duration = .seconds(24 * 3600)
  /// A claim older than this with no answer belongs to a process that died mid-request; a
  /// retry may take it over.
  package static let abandonedAfter: Duration = .seconds(600)

  /// The answer a request got, as it is replayed.
  package struct StoredResponse: Sendable, Equatable {
    package var status: Int
    package var headers: [String: String]
    package var body: Data

    package init(status: Int, headers: [String: String], body: Data) {
      self.status = status
      self.headers = headers
      self.body = body
    }
  }

  package enum Claim: Sendable, Equatable {
    /// The key is this request's now: run it, then `finish` or `release`.
    case claimed
    /// The same request was answered before: send this again.
    case replay(StoredResponse)
    /// The key was used with another request.
    case conflict
    /// The same request is running now.
    case inProgress
  }

  private let client: PostgresClient
  private let logger: Logger

  /// What makes two requests "the same": method, path with query, and body bytes.
  package static func fingerprint(method: String, path: String, body: Data) -> Data {
    var hash = SHA256()
    hash.update(data: Data("\(method) \(path)\n".utf8))
    hash.update(data: body)
    return Data(hash.finalize())
  }

  package init(client: PostgresClient, logger: Logger) {
    self.client = client
    self.logger = logger
  }

  /// Claims `key` for the request whose method, path and body hash to `fingerprint`.
  package func claim(principal: String, key: String, fingerprint: Data) async throws -> Claim {
    let retention = Self.retention.components.seconds
    let abandoned = Self.abandonedAfter.components.seconds
    let fingerprintBytes = ByteBuffer(bytes: fingerprint)
    let claimed = try await client.guardedQuery(
      """
      INSERT INTO idempotency_keys AS k (principal, key, fingerprint)
      VALUES (\(principal), \(key), \(fingerprintBytes))
      ON CONFLICT (principal, key) DO UPDATE
        SET fingerprint = EXCLUDED.fingerprint, status = NULL, headers = NULL, body = NULL, created_at = now()
        WHERE k.created_at < now() - make_interval(secs => \(Int(retention)))
          OR (k.status IS NULL AND k.created_at < now() - make_interval(secs => \(Int(abandoned))))
      RETURNING true
      """, logger: logger)
    for try await _ in claimed.decode(Bool.self) { return .claimed }

    let rows = try await client.guardedQuery(
      """
      SELECT fingerprint, status, headers::text, body FROM idempotency_keys
      WHERE principal = \(principal) AND key = \(key)
      """, logger: logger)
    for try await (stored, status, headers, body) in rows.decode((ByteBuffer, Int?, String?, ByteBuffer?).self) {
      guard Data(buffer: stored) == fingerprint else { return .conflict }
      guard let status else { return .inProgress }
      let fields = (try? JSONDecoder().decode([String: String].self, from: Data((headers ?? "{}").utf8))) ?? [:]
      return .replay(StoredResponse(status: status, headers: fields, body: body.map { Data(buffer: $0) } ?? Data()))
    }
    // Released between the two statements: claim it again.
    return try await claim(principal: principal, key: key, fingerprint: fingerprint)
  }

  /// Records the answer of the request that claimed `key`.
  package func finish(principal: String, key: String, response: StoredResponse) async throws {
    let headers = String(decoding: try JSONEncoder().encode(response.headers), as: UTF8.self)
    let body = ByteBuffer(bytes: response.body)
    try await client.guardedQuery(
      """
      UPDATE idempotency_keys SET status = \(response.status), headers = \(headers)::jsonb, body = \(body)
      WHERE principal = \(principal) AND key = \(key) AND status IS NULL
      """, logger: logger)
  }

  /// Gives `key` back: its request failed and changed nothing, so a retry may run it again.
  package func release(principal: String, key: String) async throws {
    try await client.guardedQuery(
      "DELETE FROM idempotency_keys WHERE principal = \(principal) AND key = \(key) AND status IS NULL",
      logger: logger)
  }

  /// Forgets keys older than the retention; how many.
  @discardableResult
  package func prune() async throws -> Int {
    let retention = Int(Self.retention.components.seconds)
    let rows = try await client.guardedQuery(
      """
      WITH gone AS (
        DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => \(retention)) RETURNING 1)
      SELECT count(*)::int FROM gone
      """, logger: logger)
    for try await count in rows.decode(Int.self) { return count }
    return 0
  }
}
