import EdgeRuntime
import Foundation
import Hummingbird

/// `If-Match: <lock_version>` (quoted as an ETag or bare). Absent means an unconditional write.
enum IfMatch {
  static func lockVersion(_ request: Request) throws(Problem) -> Int? {
    guard let raw = request.headers[.ifMatch]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else {
      return nil
    }
    var text = Substring(raw)
    if text.hasPrefix("W/") { text = text.dropFirst(2) }
    if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 { text = text.dropFirst().dropLast() }
    // lock_version is a PostgreSQL integer: anything above Int32.max names no version.
    guard let version = Int(text), version > 0, version <= Int(Int32.max) else {
      throw Problem.invalidHeader("If-Match", "If-Match must be a lock_version such as \"3\", not \(raw.debugDescription)")
    }
    return version
  }
}
