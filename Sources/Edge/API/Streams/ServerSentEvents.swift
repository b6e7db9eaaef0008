import EdgeRuntime
import Foundation
import NIOCore

/// The `text/event-stream` wire format.
package enum ServerSentEvents {
  /// One event. Its data goes on `data:` lines split at each line break the format knows
  /// (CRLF, LF, CR); a JSON payload has none and is written whole, after one scan of its bytes.
  package static func event(id: Int64, type: String, data: String) -> ByteBuffer {
    var buffer = ByteBuffer()
    buffer.reserveCapacity(data.utf8.count + type.utf8.count + 32)
    buffer.writeString("id: \(id)\nevent: \(type)\n")
    if !data.utf8.contains(where: { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) {
      buffer.writeString("data: ")
      buffer.writeString(data)
      buffer.writeString("\n\n")
      return buffer
    }
    let lines = data.replacingOccurrences(of: "\r\n", with: "\n").utf8.split(
      omittingEmptySubsequences: false, whereSeparator: { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") })
    for line in lines {
      buffer.writeString("data: ")
      buffer.writeBytes(line)
      buffer.writeString("\n")
    }
    buffer.writeString("\n")
    return buffer
  }

  static func ping() -> String { "event: ping\ndata: {}\n\n" }

  static func retry(milliseconds: Int) -> String { "retry: \(milliseconds)\n\n" }
}
