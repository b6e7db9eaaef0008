import Foundation
import Logging
import Providers
import ServiceKit
import Testing

/// Where a rejected model reply goes: a file under the data directory by default, or, for a
/// process whose disk does not outlive it (`MLOPS_QUARANTINE=log`), its own log line.
@Suite struct QuarantineTests {
  static func entry(payload: String) -> Quarantine.Entry {
    Quarantine.Entry(
      task: "extract", provider: "openai", model: "m", attempt: 2, reason: "not JSON", payload: payload,
      at: Date(timeIntervalSince1970: 1_700_000_000))
  }

  /// Keeps `entry` with a JSON-lines logger writing to a file, and returns the line.
  static func logged(folder: URL?, _ entry: Quarantine.Entry) throws -> [String: Any] {
    let file = FileManager.default.temporaryDirectory.appending(path: "mlops-quarantine-log-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: file.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: file) }
    let sink = LogSink(try FileHandle(forWritingTo: file))
    let logger = Logger(label: "quarantine") { JSONLogHandler(label: $0, level: .info, sink: sink) }
    Quarantine(folder: folder, logger: logger).keep(entry)
    let line = try #require(String(decoding: try Data(contentsOf: file), as: UTF8.self).split(separator: "\n").first)
    return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
  }

  @Test func withoutAFolderTheLogLineCarriesThePayloadCutAtSixtyFourKiB() throws {
    let payload = String(repeating: "é", count: 40_000)  // 80,000 bytes
    let line = try Self.logged(folder: nil, Self.entry(payload: payload))
    #expect(line["msg"] as? String == "quarantined invalid model output")
    #expect(line["reason"] as? String == "not JSON")
    #expect((line["payload"] as? String)?.utf8.count == 65_536)
    #expect(payload.hasPrefix(try #require(line["payload"] as? String)))
    #expect(line["payload_bytes"] as? String == "80000")
    #expect(line["payload_truncated"] as? String == "true")

    let short = try Self.logged(folder: nil, Self.entry(payload: "{oops"))
    #expect(short["payload"] as? String == "{oops")
    #expect(short["payload_truncated"] == nil)
  }

  @Test func withAFolderThePayloadStaysInItsFileAndOutOfTheLog() throws {
    let folder = FileManager.default.temporaryDirectory.appending(path: "mlops-quarantine-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    let line = try Self.logged(folder: folder, Self.entry(payload: "secret-looking reply"))
    #expect(line["payload"] == nil)
    #expect(try Quarantine(folder: folder, logger: Logger(label: "q")).entries().map(\.payload) == ["secret-looking reply"])
  }

  @Test func theSettingPicksTheTarget() throws {
    #expect(try Configuration(environment: [:]).quarantineFolder?.lastPathComponent == "quarantine")
    #expect(try Configuration(environment: ["MLOPS_QUARANTINE": "log"]).quarantineFolder == nil)
    #expect(throws: ConfigurationError.self) { try Configuration(environment: ["MLOPS_QUARANTINE": "s3"]) }
  }
}
