/// Gathers violations while a message is walked, with one check per kind of value.
public struct ViolationCollector: Sendable {
  public private(set) var violations: [InputViolation] = []

  public init() {}

  /// The violations `check` finds.
  public static func collect(_ check: (inout ViolationCollector) -> Void) -> [InputViolation] {
    var collector = ViolationCollector()
    check(&collector)
    return collector.violations
  }

  public mutating func add(_ field: String, _ message: String) {
    violations.append(InputViolation(field: field, message: message))
  }

  public mutating func text(_ field: String, _ value: String, max: Int) {
    if let problem = InputLimits.textProblem(value, maxCharacters: max) { add(field, problem) }
  }

  public mutating func number(_ field: String, _ value: Double, _ range: InputLimits.NumberRange) {
    if !range.contains(value) { add(field, "must be \(range.text), not \(value)") }
  }

  /// At most `max` items; the caller checks each item after.
  public mutating func count(_ field: String, _ count: Int, max: Int) {
    if count > max { add(field, "must hold at most \(max) items, not \(count)") }
  }

  /// A machine name: lower-case ASCII letters, digits and `_` (and `-` when `dashes`), starting
  /// with a letter, 1...`max` characters. Names like these become paths and identifiers.
  public mutating func name(_ field: String, _ value: String, max: Int = 64, dashes: Bool = false, allowEmpty: Bool = false) {
    if value.isEmpty, allowEmpty { return }
    if !InputLimits.isName(value, max: max, dashes: dashes) {
      let allowed = dashes ? "a-z, 0-9, _ and -" : "a-z, 0-9 and _"
      add(
        field,
        "must be 1 to \(max) characters of \(allowed), starting with a letter, not \(String(value.prefix(40)).debugDescription)")
    }
  }

  public mutating func region(_ field: String, _ value: String, allowEmpty: Bool = true) {
    if value.isEmpty, allowEmpty { return }
    if !InputLimits.awsRegions.contains(value) {
      add(field, "must be an AWS region code such as \"eu-west-1\", not \(String(value.prefix(40)).debugDescription)")
    }
  }
}

extension InputLimits {
  public static func isName(_ value: String, max: Int, dashes: Bool = false) -> Bool {
    guard let first = value.unicodeScalars.first, value.unicodeScalars.count <= max, ("a"..."z").contains(first) else {
      return false
    }
    return value.unicodeScalars.allSatisfy {
      ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || (dashes && $0 == "-")
    }
  }
}
