import Contracts
import Crypto
import Foundation
import SwiftProtobuf
import Testing

/// A run reduced to what must not change by accident: every Reason Card without ids, commits,
/// archive hashes or times, and the bundle hash of the generated files.
enum GoldenSnapshot {
  static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "Snapshots")

  /// The decision record holds when the review and the answers happened, so the bundle's
  /// hash differs run to run; the snapshot holds a hash of every other file instead.
  static let timedFiles: Set<String> = ["docs/decision-record.md"]

  static func make(state: Mlops_V1_DecisionState, decisionSetID: String) throws -> [String: Any] {
    var options = JSONEncodingOptions()
    options.preserveProtoFieldNames = true
    let bundle = state.manifest.bundleSha256
    let cards = try state.reasonCards.map { card -> Any in
      var text = normalise(try card.jsonString(options: options), decisionSetID: decisionSetID)
      if !bundle.isEmpty {
        text = text.replacingOccurrences(of: bundle, with: "<bundle>")
          .replacingOccurrences(of: String(bundle.prefix(12)), with: "<bundle>")
      }
      return try JSONSerialization.jsonObject(with: Data(text.utf8))
    }
    let untimed = state.manifest.files.filter { !timedFiles.contains($0.path) }.map { "\($0.path) \($0.sha256)" }
    let filesHash = SHA256.hash(data: Data(untimed.joined(separator: "\n").utf8)).map { String(format: "%02x", $0) }.joined()
    return ["files_sha256": filesHash, "files": state.manifest.files.count, "status": "\(state.status)", "cards": cards]
  }

  /// State changes without the manifest's hashes, which follow the decision record's times
  /// (the files section and the diff show what changed in the files).
  static func untimed(_ changes: [[String: Any]]) -> [[String: Any]] {
    changes.filter {
      let path = $0["path"] as? String ?? ""
      return !path.hasPrefix("manifest.") && path != "approval.decided_at"
    }
  }

  /// A unified diff without the decision record's section: whether its review times differ
  /// between two versions depends on whether both approvals fell in the same second.
  static func withoutDecisionRecord(_ diff: String) -> String {
    diff.components(separatedBy: "diff --git ")
      .filter { !$0.hasPrefix("a/docs/decision-record.md ") }
      .joined(separator: "diff --git ")
  }

  /// Ids, commit hashes, archive hashes and tags vary run to run; content hashes do not.
  static func normalise(_ text: String, decisionSetID: String) -> String {
    var text = text.replacingOccurrences(of: decisionSetID, with: "<decision-set>")
    let rules: [(String, String)] = [
      (#"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"#, "<uuid>"),
      (#"commit [0-9a-f]{7,40}"#, "commit <commit>"),
      (#"bundles/[0-9a-f]{64}\.zip"#, "bundles/<zip>.zip"),
      (#"publish v(\d+): bundle [0-9a-f]{12}"#, "publish v$1: bundle <zip>"),
      (#""href":"[0-9a-f]{40}""#, #""href":"<commit>""#),
      // Blob ids of files that hold the decision set's id differ with it.
      (#"index [0-9a-f]{7,40}\.\.[0-9a-f]{7,40}"#, "index <blobs>"),
      (#"bundle [0-9a-f]{12}\b"#, "bundle <bundle>"),
      // When a review or an answer arrived.
      (#"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})"#, "<time>"),
    ]
    for (pattern, template) in rules {
      text = text.replacingOccurrences(of: pattern, with: template, options: .regularExpression)
    }
    return text
  }

  static func check(_ snapshot: [String: Any], name: String) throws {
    let data = try JSONSerialization.data(
      withJSONObject: snapshot, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    let file = folder.appending(path: "\(name).json")
    if ProcessInfo.processInfo.environment["MLOPS_RECORD_SNAPSHOTS"] == "1" {
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      try (data + Data("\n".utf8)).write(to: file)
      return
    }
    let expected = try #require(
      try? Data(contentsOf: file), "no snapshot \(file.lastPathComponent); record it with MLOPS_RECORD_SNAPSHOTS=1 and review it")
    let actual = String(decoding: data, as: UTF8.self) + "\n"
    let wanted = String(decoding: expected, as: UTF8.self)
    if actual != wanted {
      let mismatch = zip(actual.split(separator: "\n"), wanted.split(separator: "\n")).enumerated().first {
        $0.element.0 != $0.element.1
      }
      Issue.record(
        "\(name) differs from its snapshot at line \((mismatch?.offset ?? 0) + 1):\n  now:  \(mismatch?.element.0.prefix(300) ?? "")\n  was:  \(mismatch?.element.1.prefix(300) ?? "")"
      )
    }
  }
}
