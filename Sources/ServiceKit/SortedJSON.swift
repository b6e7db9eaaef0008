import Foundation

/// JSON with sorted keys, so the same value always gives the same bytes.
public enum SortedJSON {
  /// One line: event payloads, request and response bodies.
  public static func data(_ object: Any) throws -> Data {
    try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
  }

  public static func string(_ object: Any) throws -> String {
    String(decoding: try data(object), as: UTF8.self)
  }

  /// Pretty-printed, for files people read and diff. `escapingSlashes` keeps the `\/` that
  /// documents published before this option existed were written with.
  public static func document(_ object: Any, escapingSlashes: Bool = false) throws -> Data {
    let options: JSONSerialization.WritingOptions =
      escapingSlashes ? [.prettyPrinted, .sortedKeys] : [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return try JSONSerialization.data(withJSONObject: object, options: options)
  }
}
