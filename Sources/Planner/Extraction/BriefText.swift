import Contracts
import Foundation

/// A brief with the lookups the extractors share: regular-expression matches, the text of a
/// match, its span in code points (what `TextSpan` records), its sentence, and the words
/// just before it.
struct BriefText {
  let text: String
  /// The text with ASCII letters in lower case (same length, so ranges carry over): patterns
  /// are written in lower case and matched case-sensitively against it, which lets ICU skip
  /// ahead on literal prefixes instead of folding case at every position.
  let folded: String
  /// The text's UTF-16 units, which `NSRange`s count; an array, because indexing a native
  /// Swift string by UTF-16 offset walks it from the start every time.
  private let units: [UInt16]
  /// Code-point offset of each UTF-16 offset, so spans count what people count.
  private let scalarOffsets: [Int]

  init(_ text: String) {
    self.text = text
    units = Array(text.utf16)
    folded = String(decoding: units.map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }, as: UTF16.self)
    var offsets: [Int] = []
    offsets.reserveCapacity(units.count + 1)
    var scalar = 0
    for unit in text.unicodeScalars {
      for _ in 0..<unit.utf16.count { offsets.append(scalar) }
      scalar += 1
    }
    offsets.append(scalar)
    scalarOffsets = offsets
  }

  var length: Int { units.count }

  func matches(_ regex: NSRegularExpression, in range: NSRange? = nil) -> [NSTextCheckingResult] {
    regex.matches(in: folded, range: range ?? NSRange(location: 0, length: units.count))
  }

  /// Matches against the text as written, for the few patterns where case matters ("US").
  func matchesAsWritten(_ regex: NSRegularExpression) -> [NSTextCheckingResult] {
    regex.matches(in: text, range: NSRange(location: 0, length: units.count))
  }

  func string(_ range: NSRange) -> String {
    guard range.location != NSNotFound else { return "" }
    return String(decoding: units[range.location..<(range.location + range.length)], as: UTF16.self)
  }

  func group(_ match: NSTextCheckingResult, _ index: Int) -> String? {
    let range = match.range(at: index)
    return range.location == NSNotFound ? nil : string(range)
  }

  func span(_ range: NSRange) -> Mlops_V1_TextSpan {
    .with {
      $0.start = Int32(scalarOffsets[range.location])
      $0.end = Int32(scalarOffsets[range.location + range.length])
      $0.text = string(range)
    }
  }

  /// The sentence (or clause list item) holding `range`: bounded by . ! ? ; and line breaks,
  /// where a full stop between digits ("0.1 s") does not end a sentence, and by a few
  /// hundred characters either side (text without full stops is not one endless sentence).
  func sentence(around range: NSRange) -> NSRange {
    let reach = 300
    var start = range.location
    while start > 0, range.location - start < reach, !isBoundary(at: start - 1) { start -= 1 }
    var end = range.location + range.length
    while end < units.count, end - (range.location + range.length) < reach, !isBoundary(at: end) { end += 1 }
    return NSRange(location: start, length: end - start)
  }

  /// Up to `count` UTF-16 units before `range` within its sentence, lower-cased.
  func before(_ range: NSRange, within count: Int) -> String {
    let sentence = sentence(around: range)
    let start = max(sentence.location, range.location - count)
    return string(NSRange(location: start, length: range.location - start)).lowercased()
  }

  /// Up to `count` UTF-16 units after `range` within its sentence, lower-cased.
  func after(_ range: NSRange, within count: Int) -> String {
    let sentence = sentence(around: range)
    let end = min(sentence.location + sentence.length, range.location + range.length + count)
    let start = range.location + range.length
    return string(NSRange(location: start, length: max(0, end - start))).lowercased()
  }

  private func isBoundary(at index: Int) -> Bool {
    let unit = units[index]
    switch unit {
    case 0x21, 0x3F, 0x3B, 0x0A, 0x0D: return true  // ! ? ; \n \r
    case 0x2E:  // a full stop ends a sentence unless it sits inside a number
      let before = index > 0 ? units[index - 1] : 0
      let after = index + 1 < units.count ? units[index + 1] : 0
      return !(Self.isDigit(before) && Self.isDigit(after))
    default: return false
    }
  }

  private static func isDigit(_ unit: UInt16) -> Bool { unit >= 0x30 && unit <= 0x39 }
}
