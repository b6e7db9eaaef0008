import Crypto
import Foundation
import ServiceKit

/// Worked examples shown to a model before the real input: a resource file per task,
/// identified by the SHA-256 of its bytes so a Reason Card can say exactly which was used.
public struct FewShotPack: Sendable, Equatable {
  public struct Example: Sendable, Equatable, Codable {
    public var input: String
    public var output: String
  }

  public var task: String
  public var examples: [Example]
  public var sha256: String

  struct File: Codable {
    var task: String
    var examples: [Example]
  }

  public static func load(from data: Data) throws -> FewShotPack {
    let file = try JSONDecoder().decode(File.self, from: data)
    return FewShotPack(
      task: file.task, examples: file.examples, sha256: SHA256.hash(data: data).lowercaseHex)
  }

  /// The examples as alternating user and assistant turns.
  var messages: [ChatMessage] {
    examples.flatMap { [ChatMessage(.user, $0.input), ChatMessage(.assistant, $0.output)] }
  }
}

/// The packs on hand, by task name; a task without a pack is asked without examples.
public struct FewShotPackRegistry: Sendable {
  public private(set) var packs: [String: FewShotPack] = [:]

  public init(packs: [FewShotPack] = []) {
    for pack in packs { self.packs[pack.task] = pack }
  }

  /// Every `*.json` pack in a folder (a module's resource folder, say).
  public static func load(folder: URL) throws -> FewShotPackRegistry {
    let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
      .filter { $0.pathExtension == "json" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
    return FewShotPackRegistry(packs: try files.map { try FewShotPack.load(from: Data(contentsOf: $0)) })
  }

  public func pack(for task: String) -> FewShotPack? { packs[task] }
}
