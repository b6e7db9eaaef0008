import Crypto
import Foundation
import Logging
import PostgresNIO

/// Stores a decision set's bundle and records it in `artifacts`: the row first (`pending`),
/// then the bytes, then `stored`, so a crash in between leaves a row that says so and a retry
/// that finishes the job. One row per project and content hash.
public struct BundleArtifacts: Sendable {
  public struct Record: Sendable, Equatable {
    public var key: ArtifactKey
    public var sha256: String
    public var sizeBytes: Int
  }

  let store: any ArtifactStore
  let client: PostgresClient
  let logger: Logger

  public init(store: any ArtifactStore, client: PostgresClient, logger: Logger) {
    self.store = store
    self.client = client
    self.logger = logger
  }

  public func store(_ bundle: Data, projectID: UUID, decisionSetID: UUID?, version: Int?) async throws -> Record {
    let sha256 = SHA256.hash(data: bundle).map { String(format: "%02x", $0) }.joined()
    let key = try ArtifactKey.bundle(projectID: projectID, sha256: sha256)
    try await client.query(
      """
      INSERT INTO artifacts (project_id, decision_set_id, version, sha256, size_bytes, key)
      VALUES (\(projectID), \(decisionSetID), \(version), \(sha256), \(bundle.count), \(key.path))
      ON CONFLICT (project_id, sha256) DO NOTHING
      """, logger: logger)
    do {
      try await store.put(bundle, at: key)
    } catch {
      _ = try? await client.query(
        "UPDATE artifacts SET status = 'failed' WHERE project_id = \(projectID) AND sha256 = \(sha256) AND status <> 'stored'",
        logger: logger)
      throw error
    }
    try await client.query(
      "UPDATE artifacts SET status = 'stored' WHERE project_id = \(projectID) AND sha256 = \(sha256)", logger: logger)
    return Record(key: key, sha256: sha256, sizeBytes: bundle.count)
  }
}
