import Contracts
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// The published versions of decision sets (`decision_set_versions`): final state, bundle,
/// commit. Written in diff_and_persist's step transaction; read for Change Summaries.
public struct VersionStore: Sendable {
  public struct Version: Sendable {
    public var version: Int
    public var state: Mlops_V1_DecisionState
    public var bundleSHA256: String
    public var artifactKey: String
    public var gitCommit: String
  }

  let client: PostgresClient
  let logger: Logger

  public init(client: PostgresClient, logger: Logger) {
    self.client = client
    self.logger = logger
  }

  public func version(_ version: Int, of decisionSetID: UUID) async throws -> Version? {
    let rows = try await client.query(
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

  public func versions(of decisionSetID: UUID) async throws -> [Int] {
    let rows = try await client.query(
      "SELECT version FROM decision_set_versions WHERE decision_set_id = \(decisionSetID) ORDER BY version", logger: logger)
    var versions: [Int] = []
    for try await version in rows.decode(Int.self) { versions.append(version) }
    return versions
  }

  static func insert(
    decisionSetID: UUID, projectID: UUID, state: Mlops_V1_DecisionState, bundleSHA256: String, artifactKey: String,
    gitCommit: String, on connection: PostgresConnection, logger: Logger
  ) async throws {
    let bytes = ByteBuffer(bytes: try Checkpointer.encode(state))
    try await connection.query(
      """
      INSERT INTO decision_set_versions (decision_set_id, project_id, version, state, bundle_sha256, artifact_key, git_commit)
      VALUES (\(decisionSetID), \(projectID), \(Int(state.version)), \(bytes), \(bundleSHA256), \(artifactKey), \(gitCommit))
      ON CONFLICT (decision_set_id, version) DO NOTHING
      """, logger: logger)
  }
}
