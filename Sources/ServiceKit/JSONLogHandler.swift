import Foundation
import Logging
import Synchronization

/// Writes one JSON object a line to standard error: `ts`, `level`, `logger`, `msg`, then
/// the metadata (`request_id`, `run_id`, `thread_id`, `node`, ... where the caller set them).
public struct JSONLogHandler: LogHandler {
  public var logLevel: Logger.Level
  public var metadata: Logger.Metadata = [:]
  public var metadataProvider: Logger.MetadataProvider?
  private let label: String
  private let sink: LogSink

  public init(label: String, level: Logger.Level, sink: LogSink = .standardError) {
    self.label = label
    self.logLevel = level
    self.sink = sink
  }

  public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  public func log(event: LogEvent) {
    var merged = metadata
    if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
    if let extra = event.metadata { merged.merge(extra) { _, new in new } }
    sink.write(
      Self.line(
        date: Date(), level: event.level, label: label, message: "\(event.message)", metadata: merged))
  }

  /// Renders one log line. Keys after the fixed four are sorted so lines diff cleanly.
  public static func line(
    date: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata
  ) -> String {
    var out = "{\"ts\":\(jsonString(timestampStyle.format(date))),"
    out += "\"level\":\(jsonString(level.rawValue)),\"logger\":\(jsonString(label)),\"msg\":\(jsonString(message))"
    for key in metadata.keys.sorted() where !["ts", "level", "logger", "msg"].contains(key) {
      out += ",\(jsonString(key)):\(json(metadata[key]!))"
    }
    return out + "}\n"
  }

  private static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

  private static func json(_ value: Logger.MetadataValue) -> String {
    switch value {
    case .string(let text): jsonString(text)
    case .stringConvertible(let convertible): jsonString(convertible.description)
    case .array(let items): "[" + items.map(json).joined(separator: ",") + "]"
    case .dictionary(let dictionary):
      "{" + dictionary.keys.sorted().map { "\(jsonString($0)):\(json(dictionary[$0]!))" }.joined(separator: ",") + "}"
    }
  }

  static func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case let s where s.value < 0x20: out += String(format: "\\u%04x", s.value)
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }
}

/// Where log lines go. Writes are serialised so lines from concurrent tasks never interleave.
public final class LogSink: Sendable {
  private let handle: Mutex<FileHandle>

  public init(_ handle: FileHandle) { self.handle = Mutex(handle) }

  public static let standardError = LogSink(.standardError)

  func write(_ line: String) {
    handle.withLock { $0.write(Data(line.utf8)) }
  }
}
