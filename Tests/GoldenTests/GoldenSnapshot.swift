import Contracts
import Foundation
import SwiftProtobuf
import Testing

/// A run reduced to what must not change by accident: every Reason Card without ids, commits,
/// archive hashes or times, and the bundle hash of the generated files.
enum GoldenSnapshot {
  static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "Snapshots")

  static func make(state: Mlops_V1_DecisionState, decisionSetID: String) throws -> [String: Any] {
    var options = JSONEncodingOptions()
    options.preserveProtoFieldNames = true
    let cards = try state.reasonCards.map { card -> Any in
      let text = normalise(try card.jsonString(options: options), decisionSetID: decisionSetID)
      return try JSONSerialization.jsonObject(with: Data(text.utf8))
    }
    return ["bundle_sha256": state.manifest.bundleSha256, "status": "\(state.status)", "cards": cards]
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
