import Foundation

/// Numbers as people write them: "3,000", "2.5", "2k", "1.5M", "$2bn", "twenty-five",
/// "three hundred", "a million", "half a million", and "1,5" with a decimal comma.
enum NumberWords {
  static let units: [String: Double] = [
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
  ]
  static let scales: [String: Double] = [
    "hundred": 100, "thousand": 1_000, "k": 1_000, "million": 1_000_000, "m": 1_000_000, "mm": 1_000_000,
    "mn": 1_000_000, "billion": 1_000_000_000, "bn": 1_000_000_000, "b": 1_000_000_000,
  ]

  /// A regular-expression fragment matching one number, digits or words, with an optional
  /// scale suffix; `parse` reads what it matched.
  static let pattern: String = {
    let words = units.keys.filter { $0 != "zero" }.sorted { $0.count > $1.count }.joined(separator: "|")
    let scaleWords = "hundred|thousand|million|billion"
    // Bounded everywhere, and a number never starts inside another: a brief that is one long
    // run of digits or number words costs linear time, not quadratic.
    let digits =
      #"(?<![\d.,])\d{1,3},\d{1,2}(?![\d,])|(?<![\d.,])(?:\d{1,3}(?:,\d{3}){1,5}|\d{1,15})(?:\.\d{1,9})?|(?<![\d.,])\.\d{1,9}"#
    let spelled =
      "(?:(?:\(words))|a\\s+(?:\(scaleWords))|half\\s+a\\s+(?:\(scaleWords)))"
      + "(?:[\\s-]{1,3}(?:\(words)|\(scaleWords))|(?<=hundred)\\s{1,3}and\\s{1,3}(?:\(words))){0,6}"
    return "(?:(?:\(digits))|\\b\(spelled)\\b)(?:\\s?(?:k|mm|mn|m|bn|b|thousand|million|billion)\\b)?"
  }()

  static let decimalComma = NSRegularExpression.builtIn(#"^\d{1,3},\d{1,2}$"#)

  static func parse(_ text: String) -> Double? {
    let separator =
      text.contains(",") && decimalComma.firstMatch(in: text, range: NSRange(location: 0, length: text.utf16.count)) != nil
      ? "." : ""
    let cleaned = text.lowercased().replacingOccurrences(of: ",", with: separator).replacingOccurrences(of: "-", with: " ")
    var tokens: [String] = []
    // Split "2.5k" into "2.5" and "k"; words are already apart.
    for piece in cleaned.split(whereSeparator: \.isWhitespace) {
      var piece = String(piece)
      if let first = piece.first, first.isNumber || first == "." {
        let number = piece.prefix { $0.isNumber || $0 == "." }
        tokens.append(String(number))
        piece.removeFirst(number.count)
        if !piece.isEmpty { tokens.append(piece) }
      } else {
        tokens.append(piece)
      }
    }
    var total = 0.0
    var current = 0.0
    var sawNumber = false
    var pendingHalf = false
    for token in tokens {
      if let value = Double(token) {
        current += value
        sawNumber = true
      } else if let value = units[token] {
        current += value
        sawNumber = true
      } else if token == "a" {
        current = max(current, 1)
        sawNumber = true
      } else if token == "half" {
        pendingHalf = true
      } else if let scale = scales[token] {
        if current == 0 { current = 1 }
        if scale == 100 {
          current *= 100
        } else {
          total += current * scale * (pendingHalf ? 0.5 : 1)
          current = 0
          pendingHalf = false
        }
        sawNumber = true
      } else if token == "and" {
        continue
      } else {
        return nil
      }
    }
    guard sawNumber else { return nil }
    return total + current
  }
}
