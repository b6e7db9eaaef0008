import Contracts
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// The published versions of decision sets (`decision_set_versions`): final state, bundle,
/// commit; and their stored bundles (`artifacts`). The owner of both tables: written in
/// diff_and_persist's step transaction, read for Change Summaries and download links.
package struct VersionStore: Sendable {
  package struct Version: Sendable {
    package var version: Int
    package var state: Mlops_V1_DecisionState
    package var bundleSHA256: String
    package var artifactKey: String
    package var gitCommit: String

    /// Version 0: nothing published yet, what a first version is compared with.
    package static let none = Version(version: 0, state: .init(), bundleSHA256: "", artifactKey: "", gitCommit: "")
  }

  let client: PostgresClient
  let logger: Logger

  package init(client: PostgresClient, logger: Logger) {
    self.client = client
    self.logger = logger
  }

  package func version(_ version: Int, of decisionSetID: UUID) async throws -> Version? {
    let rows = try await client.guardedQuery(
      """
      SELECT version, state, bundle_sha256, artifact_key, git_commit FROM decision_set_versions
      WHERE decision_set_id = \(decisionSetID) AND version = \(version)
      """, logger: logger)
    for try await (number, state, bundle, key, commit) in rows.decode((Int, ByteBuffer, String, String, String).self) {
      return Version(
        version: number, state: try Mlops_V1_DecisionState(serializedBytes: Data(buffer: state)), bundleSHA256: bundle,
        artifactKey: key, gitCommit: commit)
    }
    return nil
  }

  package func versions(of decisionSetID: UUID) async throws -> [Int] {
    let rows = try await client.guardedQuery(
      "SELECT version FROM decision_set_versions WHERE decision_set_id = \(decisionSetID) ORDER BY version", logger: logger)
    var versions: [Int] = []
    for try await version in rows.decode(Int.self) { versions.append(version) }
    return versions
  }

  package struct Artifact: Sendable {
    package var version: Int?
    package var sha256: String
    package var sizeBytes: Int
    package var key: String
    package var status: String
    package var createdAt: Date
  }

  /// A decision set's bundles, oldest version first.
  package func artifacts(of decisionSetID: UUID) async throws -> [Artifact] {
    let rows = try await client.guardedQuery(
      """
      SELECT version, sha256, size_bytes, key, status, created_at FROM artifacts
      WHERE decision_set_id = \(decisionSetID) ORDER BY version, created_at
      """, logger: logger)
    var artifacts: [Artifact] = []
    for try await (version, sha256, size, key, status, created) in rows.decode((Int?, String, Int, String, String, Date).self) {
      artifacts.append(Artifact(version: version, sha256: sha256, sizeBytes: size, key: key, status: status, createdAt: created))
    }
    return artifacts
  }

  /// Records a stored bundle; the same bytes stored again (a retried step) keep one row.
  static func insertArtifact(
    projectID: UUID, decisionSetID: UUID, version: Int, sha256: String, sizeBytes: Int, key: String,
    on connection: PostgresConnection, logger: Logger
  ) async throws {
    try await connection.guardedQuery(
      """
      INSERT INTO artifacts (project_id, decision_set_id, version, sha256, size_bytes, key, status)
      VALUES (\(projectID), \(decisionSetID), \(version), \(sha256), \(sizeBytes), \(key), 'stored')
      ON CONFLICT (project_id, sha256) DO UPDATE SET status = 'stored'
      """, logger: logger)
  }

  static func insert(
    decisionSetID: UUID, projectID: UUID, state: Mlops_V1_DecisionState, bundleSHA256: String, artifactKey: String,
    gitCommit: String, on connection: PostgresConnection, logger: Logger
  ) async throws {
    let bytes = ByteBuffer(bytes: try Checkpointer.encode(state))
    try await connection.guardedQuery(
      """
      INSERT INTO decision_set_versions (decision_set_id, project_id, version, state, bundle_sha256, artifact_key, git_commit)
      VALUES (\(decisionSetID), \(projectID), \(Int(state.version)), \(bytes), \(bundleSHA256), \(artifactKey), \(gitCommit))
      ON CONFLICT (decision_set_id, version) DO NOTHING
      """, logger: logger)
  }
}
