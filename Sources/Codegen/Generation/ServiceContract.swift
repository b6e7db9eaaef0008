import Foundation

/// The service's side of the dataset schema: the typed fields of its request models and two
/// requests its tests send, far apart so a trained model answers them differently.
enum ServiceContract {
  /// A Python value, written out expanded (one item a line, trailing commas) as ruff
  /// format leaves it.
  indirect enum Literal {
    case number(Double)
    case integer(Int)
    case string(String)
    case list([Literal])
    case object([(String, Literal)])
    /// A call of a helper the test file defines (images are drawn by the test).
    case code(String)

    func python(indent: Int = 0) -> String {
      let inner = String(repeating: " ", count: indent + 4)
      let outer = String(repeating: " ", count: indent)
      switch self {
      case .number(let value): return value == value.rounded() ? String(format: "%.1f", value) : "\(value)"
      case .integer(let value): return "\(value)"
      case .string(let text): return "\"\(LanguageEncoder.quotedString(text, quote: "\\x22"))\""
      case .code(let code): return code
      case .list(let items):
        return "[\n" + items.map { inner + $0.python(indent: indent + 4) + ",\n" }.joined() + outer + "]"
      case .object(let pairs):
        return "{\n"
          + pairs.map { inner + "\"\($0.0)\": " + $0.1.python(indent: indent + 4) + ",\n" }.joined() + outer + "}"
      }
    }
  }

  /// `name: type` lines of a pydantic model for the features of one role ("" for all).
  static func fields(_ schema: DatasetSchema, role: String? = nil) -> String {
    schema.features.filter { role == nil || $0.role == role }.map { feature in
      switch feature.kind {
      case .numeric: "    \(feature.name): float"
      case .categorical, .identifier: "    \(feature.name): str = Field(min_length=1, max_length=200)"
      case .text: "    \(feature.name): str = Field(min_length=1, max_length=20_000)"
      case .image: "    \(feature.name): str = Field(min_length=1, max_length=2_000_000)"
      }
    }.joined(separator: "\n")
  }

  /// Two requests: features at opposite ends of their ranges, other categories and words.
  static func examples(_ schema: DatasetSchema) -> (first: Literal, second: Literal) {
    func row(_ features: [DatasetSchema.Feature], high: Bool, item: Int = 0) -> Literal {
      .object(
        features.enumerated().map { index, feature in
          let up = (index % 2 == 0) == high
          let value: Literal
          switch feature.kind {
          case .numeric:
            let low = feature.minimum ?? 0
            let top = feature.maximum ?? 100
            value = .number(up ? low + (top - low) * 0.9 : low + (top - low) * 0.1)
          case .categorical:
            let count = feature.values.count
            value = .string(feature.values[high ? item % count : count - 1 - item % count])
          case .identifier: value = .string("item-\(String(format: "%03d", item + (high ? 0 : 40)))")
          case .text:
            let words = feature.values.isEmpty ? ["refund", "invoice"] : feature.values
            let word = high ? words[0] : words[words.count - 1]
            value = .string("please \(word) my \(word) today")
          case .image: value = .code("picture(defect=\(high ? "True" : "False"))")
          }
          return (feature.name, value)
        })
    }
    switch schema.task {
    case .classification, .regression, .anomaly:
      let flat = schema.features.allSatisfy { $0.kind == .text || $0.kind == .image }
      let first = row(schema.features, high: true)
      let second = row(schema.features, high: false)
      return flat ? (first, second) : (.object([("features", first)]), .object([("features", second)]))
    case .forecasting:
      func history(_ level: Double, _ swing: Double) -> Literal {
        .list((0..<28).map { day in .number((level + swing * sin(Double(day) * 2 * .pi / 7) * 10).rounded() / 1) })
      }
      return (
        .object([("history", history(180, 3)), ("last_date", .string("2026-06-30")), ("horizon", .integer(3))]),
        .object([("history", history(40, 1)), ("last_date", .string("2026-06-30")), ("horizon", .integer(3))])
      )
    case .ranking:
      let user = schema.features.filter { $0.role == "user" }
      let item = schema.features.filter { $0.role == "item" }
      func request(_ high: Bool) -> Literal {
        .object([
          ("user", row(user, high: high)),
          ("candidates", .list((0..<3).map { row(item, high: $0 % 2 == 0 ? high : !high, item: $0 + 1) })),
        ])
      }
      return (request(true), request(false))
    case .retrieval:
      return (
        .object([("text", .string("how do i get a refund for a charge on my invoice"))]),
        .object([("text", .string("my parcel tracking says the courier lost the delivery"))])
      )
    }
  }

  /// Whether a request carries a number the bad-number tests can replace.
  static func hasNumber(_ schema: DatasetSchema) -> Bool {
    schema.task == .forecasting || schema.features.contains { $0.kind == .numeric }
  }
}
