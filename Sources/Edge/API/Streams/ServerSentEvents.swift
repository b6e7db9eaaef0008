import EdgeRuntime
import Foundation

/// The `text/event-stream` wire format.
enum ServerSentEvents {
  static func event(id: Int64, type: String, data: String) -> String {
    // A JSON payload has no newline of its own; guard anyway, as the format requires.
    let lines = data.split(separator: "\n", omittingEmptySubsequences: false).map { "data: \($0)" }
    return "id: \(id)\nevent: \(type)\n\(lines.joined(separator: "\n"))\n\n"
  }

  static func ping() -> String { "event: ping\ndata: {}\n\n" }

  static func retry(milliseconds: Int) -> String { "retry: \(milliseconds)\n\n" }
}
