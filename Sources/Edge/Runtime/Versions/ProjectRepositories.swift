import Foundation
import Logging
import PostgresNIO
import ServiceKit
import Tracing

/// One bare git repository per project under `{data}/repositories/{project_id}.git`. Each
/// decision set has its branch `ds/{id}`; each published version is a commit on it, tagged
/// `ds/{id}/v{version}`. Work on one project is serialised by a PostgreSQL advisory lock, so
/// any number of workers (on any machines sharing the folder) can commit. With `shared`
/// (`MLOPS_REPOSITORIES=database`) the folder is only this machine's cache: every commit is
/// also appended to the project's `RepositoryLog` in PostgreSQL, and a read that finds a
/// version missing catches up from it first.
package struct ProjectRepositories: Sendable {
  package let root: URL
  let client: PostgresClient
  let logger: Logger
  let log: RepositoryLog?

  package init(root: URL, client: PostgresClient, logger: Logger, shared: Bool = false) {
    self.root = root
    self.client = client
    self.logger = logger
    self.log = shared ? RepositoryLog(client: client, logger: logger) : nil
  }

  /// The repositories of a data directory: `{data}/repositories`.
  package init(dataDirectory: String, client: PostgresClient, logger: Logger, shared: Bool = false) {
    self.init(
      root: URL(fileURLWithPath: dataDirectory).appending(path: "repositories").standardizedFileURL, client: client,
      logger: logger, shared: shared)
  }

  package struct File: Sendable {
    package var path: String
    package var contents: Data
    package init(path: String, contents: Data) {
      self.path = path
      self.contents = contents
    }
  }

  /// Each commit's scratch folder: `mlops-commit-{pid}-{uuid}` under the temporary directory.
  package static let scratchPrefix = "mlops-commit-"

  package static func tag(decisionSetID: UUID, version: Int) -> String {
    "ds/\(decisionSetID.lowercaseString)/v\(version)"
  }

  /// Commits `files` as the whole tree of `version` and tags it; a version already tagged
  /// (a retried step) returns its commit unchanged.
  package func commit(
    projectID: UUID, decisionSetID: UUID, version: Int, files: [File], message: String
  ) async throws -> String {
    try await withSpan("git.commit", ofKind: .internal) { span in
      span.attributes["mlops.git.files"] = files.count
      return try await commitLocked(
        projectID: projectID, decisionSetID: decisionSetID, version: version, files: files, message: message)
    }
  }

  private func commitLocked(
    projectID: UUID, decisionSetID: UUID, version: Int, files: [File], message: String
  ) async throws -> String {
    try await withProjectLock(projectID) {
      let repository = try await ensureRepository(projectID)
      try Self.removeStaleLocks(repository)
      try await log?.catchUp(projectID: projectID, repository: repository)
      let tag = Self.tag(decisionSetID: decisionSetID, version: version)
      let branch = "refs/heads/ds/\(decisionSetID.lowercaseString)"
      if let existing = try await revParse(repository, "refs/tags/\(tag)") {
        try await log?.publish(projectID: projectID, repository: repository, branch: branch, tag: tag, commit: existing)
        return existing
      }
      let scratch = ScratchFolder.make(prefix: Self.scratchPrefix)
      defer { try? FileManager.default.removeItem(at: scratch) }
      let tree = scratch.appending(path: "tree")
      for file in files {
        let url = tree.appending(path: file.path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try file.contents.write(to: url)
      }
      try FileManager.default.createDirectory(at: tree, withIntermediateDirectories: true)
      var environment = Self.identity
      environment["GIT_DIR"] = repository.path
      environment["GIT_WORK_TREE"] = tree.path
      environment["GIT_INDEX_FILE"] = scratch.appending(path: "index").path
      try await CommandRunner.run(["git", "add", "-A", "."], environment: environment, workingDirectory: tree.path)
      let treeID = try await CommandRunner.run(["git", "write-tree"], environment: environment, workingDirectory: tree.path)
        .standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
      var arguments = ["git", "commit-tree", treeID, "-m", message]
      if let parent = try await revParse(repository, branch) { arguments += ["-p", parent] }
      let commit = try await CommandRunner.run(arguments, environment: environment, workingDirectory: tree.path)
        .standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
      // Branch and tag move together or not at all: a kill between two commands would
      // leave a commit on the branch that no version's tag names.
      try await CommandRunner.run(
        ["git", "--git-dir", repository.path, "update-ref", "--stdin"], environment: Self.identity,
        input: "start\nupdate \(branch) \(commit)\ncreate refs/tags/\(tag) \(commit)\nprepare\ncommit\n")
      try await log?.publish(projectID: projectID, repository: repository, branch: branch, tag: tag, commit: commit)
      return commit
    }
  }

  /// `git diff` between two tagged versions of a decision set (version 0: nothing, so every
  /// file is added): the unified diff and the changed paths with their status letter (A, M, D).
  package func diff(projectID: UUID, decisionSetID: UUID, from: Int, to: Int) async throws -> (
    unified: String, paths: [(String, String)]
  ) {
    try await withSpan("git.diff", ofKind: .internal) { span in
      span.attributes["mlops.git.from"] = from
      span.attributes["mlops.git.to"] = to
      return try await diffTags(projectID: projectID, decisionSetID: decisionSetID, from: from, to: to)
    }
  }

  private func diffTags(projectID: UUID, decisionSetID: UUID, from: Int, to: Int) async throws -> (
    unified: String, paths: [(String, String)]
  ) {
    let repository = try await current(
      projectID,
      holding: [from, to].filter { $0 > 0 }.map {
        Self.tag(decisionSetID: decisionSetID, version: $0)
      })
    let old =
      from == 0
      ? try await git(repository, ["hash-object", "-t", "tree", "/dev/null"]).standardOutput.trimmingCharacters(
        in: .whitespacesAndNewlines)
      : Self.tag(decisionSetID: decisionSetID, version: from)
    let new = Self.tag(decisionSetID: decisionSetID, version: to)
    let unified = try await git(repository, ["diff", "--no-color", "--no-ext-diff", "--no-renames", old, new]).standardOutput
    let names = try await git(repository, ["diff", "--no-color", "--no-renames", "--name-status", old, new]).standardOutput
    let paths = names.split(separator: "\n").compactMap { line -> (String, String)? in
      let parts = line.split(separator: "\t", maxSplits: 1)
      return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
    }
    return (unified, paths)
  }

  package func hasVersion(projectID: UUID, decisionSetID: UUID, version: Int) async throws -> Bool {
    let tag = Self.tag(decisionSetID: decisionSetID, version: version)
    let repository = try await current(projectID, holding: [tag])
    guard FileManager.default.fileExists(atPath: repository.path) else { return false }
    return try await revParse(repository, "refs/tags/\(tag)") != nil
  }

  /// The project's repository folder, caught up with the shared log first when it lacks one of
  /// `tags` (tags never move, so a folder that has them all is current enough).
  private func current(_ projectID: UUID, holding tags: [String]) async throws -> URL {
    let repository = repositoryURL(projectID)
    guard let log else { return repository }
    var missing = !FileManager.default.fileExists(atPath: repository.appending(path: "HEAD").path)
    for tag in tags where !missing {
      missing = try await revParse(repository, "refs/tags/\(tag)") == nil
    }
    guard missing else { return repository }
    return try await withProjectLock(projectID) {
      let repository = try await ensureRepository(projectID)
      try Self.removeStaleLocks(repository)
      try await log.catchUp(projectID: projectID, repository: repository)
      return repository
    }
  }

  /// Removes a deleted project's repository folder (its log in the database went with it).
  package func remove(_ projectID: UUID) throws -> Bool {
    let folder = repositoryURL(projectID)
    guard FileManager.default.fileExists(atPath: folder.path) else { return false }
    try FileManager.default.removeItem(at: folder)
    return true
  }

  package func repositoryURL(_ projectID: UUID) -> URL {
    root.appending(path: "\(projectID.lowercaseString).git")
  }

  private func ensureRepository(_ projectID: UUID) async throws -> URL {
    let repository = repositoryURL(projectID)
    if !FileManager.default.fileExists(atPath: repository.appending(path: "HEAD").path) {
      try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
      try await CommandRunner.run(["git", "init", "--bare", "--quiet", repository.path], environment: Self.identity)
    }
    return repository
  }

  private func revParse(_ repository: URL, _ reference: String) async throws -> String? {
    let output = try await CommandRunner.run(
      ["git", "--git-dir", repository.path, "rev-parse", "--verify", "--quiet", "\(reference)^{commit}"],
      environment: Self.identity, checked: false)
    let text = output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    return output.status == 0 && !text.isEmpty ? text : nil
  }

  @discardableResult
  private func git(_ repository: URL, _ arguments: [String]) async throws -> CommandRunner.Output {
    try await CommandRunner.run(["git", "--git-dir", repository.path] + arguments, environment: Self.identity)
  }

  /// The platform commits as itself, whatever the machine's git configuration says.
  static let identity = [
    "GIT_AUTHOR_NAME": "mlops", "GIT_AUTHOR_EMAIL": "mlops@localhost", "GIT_COMMITTER_NAME": "mlops",
    "GIT_COMMITTER_EMAIL": "mlops@localhost", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_TERMINAL_PROMPT": "0",
  ]

  /// Removes the ref lock files a killed git left behind. Only called under the project's
  /// advisory lock, which every writer of this repository holds: a lock file seen then has
  /// no living owner, and would fail every later update of its ref.
  static func removeStaleLocks(_ repository: URL) throws {
    let manager = FileManager.default
    var stale = ["packed-refs.lock", "HEAD.lock", "config.lock", "index.lock"].map { repository.appending(path: $0) }
    if let refs = manager.enumerator(at: repository.appending(path: "refs"), includingPropertiesForKeys: nil) {
      for case let url as URL in refs where url.pathExtension == "lock" { stale.append(url) }
    }
    for url in stale where manager.fileExists(atPath: url.path) {
      try manager.removeItem(at: url)
    }
  }

  /// The database connection that held a project's lock closed while `body` ran (a restart,
  /// a failover): the lock went with it, so another writer may have run alongside.
  package struct ProjectLockLost: Error, CustomStringConvertible {
    package var projectID: UUID
    package var description: String { "the lock on project \(projectID) was lost with its database connection" }
  }

  /// Runs `body` holding the project's advisory lock on a connection of its own. A lock lost
  /// with its connection fails the work (its step is retried), even when `body` finished.
  package func withProjectLock<T: Sendable>(_ projectID: UUID, _ body: @Sendable () async throws -> T) async throws -> T {
    let key = Self.lockKey(projectID)
    return try await client.withOpenConnection { connection in
      try await connection.guardedQuery("SELECT pg_advisory_lock(\(key))", logger: logger)
      let outcome: Result<T, any Error>
      do { outcome = .success(try await body()) } catch { outcome = .failure(error) }
      guard !connection.isClosed else { throw ProjectLockLost(projectID: projectID) }
      switch outcome {
      case .success(let result):
        do {
          try await connection.guardedQuery("SELECT pg_advisory_unlock(\(key))", logger: logger)
        } catch  where isConnectionCut(error) {
          throw ProjectLockLost(projectID: projectID)
        }
        return result
      case .failure(let error):
        _ = try? await connection.guardedQuery("SELECT pg_advisory_unlock(\(key))", logger: logger)
        throw error
      }
    }
  }

  /// A stable 64-bit key from the project id (its first eight bytes).
  static func lockKey(_ projectID: UUID) -> Int64 {
    let bytes = withUnsafeBytes(of: projectID.uuid) { Array($0.prefix(8)) }
    return bytes.reduce(Int64(0)) { ($0 << 8) | Int64($1) }
  }
}
