import Foundation

/// RFC 3339 instants as the contracts carry them, with or without fractional seconds.
public enum RFC3339 {
  public static func date(_ text: String) -> Date? {
    guard text.utf8.count <= 40 else { return nil }
    if let date = try? Date(text, strategy: .iso8601) { return date }
    return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
  }

  /// UTC, whole seconds: "2026-12-03T10:00:00Z".
  public static func string(_ date: Date) -> String {
    date.formatted(.iso8601)
  }
}
