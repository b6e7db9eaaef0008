import Contracts
import Foundation

/// What build is running: the product version, the git commit and the contracts' hash.
public struct BuildInfo: Sendable, Codable, Equatable {
  public static let productVersion = "0.1.0"

  public var version: String
  public var gitCommit: String
  public var protoSHA256: String

  public init(version: String, gitCommit: String, protoSHA256: String) {
    self.version = version
    self.gitCommit = gitCommit
    self.protoSHA256 = protoSHA256
  }

  enum CodingKeys: String, CodingKey {
    case version
    case gitCommit = "git_commit"
    case protoSHA256 = "proto_sha256"
  }

  /// The commit comes from `MLOPS_GIT_COMMIT` (set by image builds), else from the git
  /// checkout the process runs in, else "unknown".
  public static func current(environment: [String: String] = ProcessInfo.processInfo.environment) async -> BuildInfo {
    var commit = environment["MLOPS_GIT_COMMIT"].flatMap { $0.isEmpty ? nil : $0 }
    if commit == nil,
      let output = try? await CommandRunner.run(["git", "rev-parse", "HEAD"], checked: false),
      output.status == 0
    {
      commit = output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }
    return BuildInfo(version: productVersion, gitCommit: commit ?? "unknown", protoSHA256: ProtoHash.sha256)
  }
}
