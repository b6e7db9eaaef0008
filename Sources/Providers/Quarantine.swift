import Foundation
import Logging
import ServiceKit

/// Where invalid model output goes for triage: one JSON file per rejected payload, with the
/// task, the provider, the attempt and why it was rejected. Never read back by the service.
public struct Quarantine: Sendable {
  public struct Entry: Sendable, Codable, Equatable {
    public var task: String
    public var provider: String
    public var model: String
    public var attempt: Int
    public var reason: String
    public var payload: String
    public var at: Date

    public init(task: String, provider: String, model: String, attempt: Int, reason: String, payload: String, at: Date) {
      self.task = task
      self.provider = provider
      self.model = model
      self.attempt = attempt
      self.reason = reason
      self.payload = payload
      self.at = at
    }
  }

  public let folder: URL?
  let logger: Logger

  /// The most of a payload a log line carries; the rest is cut and the line says how much.
  static let loggedPayloadBytes = 65_536

  /// `folder` nil keeps nothing on disk: the log line carries the payload instead
  /// (`MLOPS_QUARANTINE=log`, for a process whose disk does not outlive it).
  public init(folder: URL?, logger: Logger) {
    self.folder = folder
    self.logger = logger
  }

  public func keep(_ entry: Entry) {
    var metadata: Logger.Metadata = [
      "task": "\(entry.task)", "provider": "\(entry.provider)", "model": "\(entry.model)",
      "attempt": "\(entry.attempt)", "reason": "\(entry.reason)",
    ]
    if folder == nil {
      let bytes = Array(entry.payload.utf8)
      metadata["payload"] = "\(String(decoding: bytes.prefix(Self.loggedPayloadBytes), as: UTF8.self))"
      metadata["payload_bytes"] = "\(bytes.count)"
      if bytes.count > Self.loggedPayloadBytes { metadata["payload_truncated"] = "true" }
    }
    logger.warning("quarantined invalid model output", metadata: metadata)
    guard let folder else { return }
    do {
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      encoder.dateEncodingStrategy = .iso8601
      let name = "\(Int(saturating: entry.at.timeIntervalSince1970 * 1000))-\(entry.task)-\(UUID().uuidString.prefix(8)).json"
      try encoder.encode(entry).write(to: folder.appending(path: name), options: .atomic)
    } catch {
      logger.error("could not write to the quarantine", metadata: ["folder": "\(folder.path)", "error": "\(error)"])
    }
  }

  /// Everything kept so far, oldest first (for tests and triage tools).
  public func entries() throws -> [Entry] {
    guard let folder, FileManager.default.fileExists(atPath: folder.path) else { return [] }
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
      .filter { $0.pathExtension == "json" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
      .map { try decoder.decode(Entry.self, from: Data(contentsOf: $0)) }
  }
}
