import Crypto
import Foundation
import Logging
import NIOCore
import PostgresNIO
import ServiceKit

/// Each project's git history as a log of incremental git bundles in PostgreSQL
/// (`project_git_bundles`), for deployments whose API and worker run on different machines
/// (`MLOPS_REPOSITORIES=database`). A machine's repository folder is then a cache: `catchUp`
/// fetches the bundles it has not applied, in order; `publish` appends what a commit added.
/// Callers hold the project's advisory lock, so appends are in order and never race.
package struct RepositoryLog: Sendable {
  let client: PostgresClient
  let logger: Logger

  package struct Corrupt: Error, CustomStringConvertible {
    package var description: String
  }

  /// The file in a repository folder recording how much of the log it holds.
  static let appliedFile = "mlops-applied-bundles"

  /// Brings `repository` up to date with the log: every bundle after the last one applied,
  /// checked against its SHA-256, fetched with its branches and tags (the log wins over any
  /// commit this folder made but never published).
  func catchUp(projectID: UUID, repository: URL) async throws {
    let marker = repository.appending(path: Self.appliedFile)
    let applied = (try? String(contentsOf: marker, encoding: .utf8)).flatMap { Int($0) } ?? 0
    let rows = try await client.guardedQuery(
      """
      SELECT seq, bundle, sha256 FROM project_git_bundles
      WHERE project_id = \(projectID) AND seq > \(applied) ORDER BY seq
      """, logger: logger)
    var entries: [(Int, ByteBuffer, String)] = []
    for try await row in rows.decode((Int, ByteBuffer, String).self) { entries.append(row) }
    for (seq, buffer, sha256) in entries {
      let bytes = Data(buffer: buffer)
      guard SHA256.hash(data: bytes).lowercaseHex == sha256 else {
        throw Corrupt(description: "git bundle \(seq) of project \(projectID) does not match its SHA-256")
      }
      let file = repository.appending(path: "mlops-bundle-\(seq).bundle")
      try bytes.write(to: file)
      defer { try? FileManager.default.removeItem(at: file) }
      try await CommandRunner.run(
        [
          "git", "--git-dir", repository.path, "fetch", "--quiet", "--no-write-fetch-head", file.path,
          "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*",
        ],
        environment: ProjectRepositories.identity)
      try Data(String(seq).utf8).write(to: marker, options: .atomic)
    }
  }

  /// Appends `branch` and `tag` as the next bundle, holding only the objects no earlier
  /// bundle has; a tag already in the log is left as it is (a retried step).
  func publish(projectID: UUID, repository: URL, branch: String, tag: String, commit: String) async throws {
    let rows = try await client.guardedQuery(
      "SELECT tag, commit, seq FROM project_git_bundles WHERE project_id = \(projectID) ORDER BY seq", logger: logger)
    var published: [String] = []
    var last = 0
    for try await (publishedTag, publishedCommit, seq) in rows.decode((String, String, Int).self) {
      if publishedTag == tag { return }
      published.append(publishedCommit)
      last = seq
    }
    let file = repository.appending(path: "mlops-publish-\(UUID().uuidString).bundle")
    defer { try? FileManager.default.removeItem(at: file) }
    var arguments = ["git", "--git-dir", repository.path, "bundle", "create", "--quiet", file.path, branch, "refs/tags/\(tag)"]
    if !published.isEmpty { arguments += ["--not"] + published }
    try await CommandRunner.run(arguments, environment: ProjectRepositories.identity)
    let bytes = try Data(contentsOf: file)
    let seq = last + 1
    try await client.guardedQuery(
      """
      INSERT INTO project_git_bundles (project_id, seq, tag, commit, bundle, sha256)
      VALUES (\(projectID), \(seq), \(tag), \(commit), \(ByteBuffer(bytes: bytes)), \(SHA256.hash(data: bytes).lowercaseHex))
      """, logger: logger)
    try Data(String(seq).utf8).write(to: repository.appending(path: Self.appliedFile), options: .atomic)
  }
}
