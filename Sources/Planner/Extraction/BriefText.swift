import Contracts
import Foundation

/// A brief with the lookups the extractors share: regular-expression matches, the text of a
/// match, its span in code points (what `TextSpan` records), its sentence, and the words
/// just before it.
struct BriefText {
  let text: String
  private let utf16: NSString
  /// Code-point offset of each UTF-16 offset, so spans count what people count.
  private let scalarOffsets: [Int]

  init(_ text: String) {
    self.text = text
    utf16 = text as NSString
    var offsets: [Int] = []
    offsets.reserveCapacity(utf16.length + 1)
    var scalar = 0
    for unit in text.unicodeScalars {
      for _ in 0..<unit.utf16.count { offsets.append(scalar) }
      scalar += 1
    }
    offsets.append(scalar)
    scalarOffsets = offsets
  }

  var length: Int { utf16.length }

  func matches(_ regex: NSRegularExpression, in range: NSRange? = nil) -> [NSTextCheckingResult] {
    regex.matches(in: text, range: range ?? NSRange(location: 0, length: utf16.length))
  }

  func string(_ range: NSRange) -> String {
    range.location == NSNotFound ? "" : utf16.substring(with: range)
  }

  func group(_ match: NSTextCheckingResult, _ index: Int) -> String? {
    let range = match.range(at: index)
    return range.location == NSNotFound ? nil : utf16.substring(with: range)
  }

  func span(_ range: NSRange) -> Mlops_V1_TextSpan {
    .with {
      $0.start = Int32(scalarOffsets[range.location])
      $0.end = Int32(scalarOffsets[range.location + range.length])
      $0.text = string(range)
    }
  }

  /// The sentence (or clause list item) holding `range`: bounded by . ! ? ; and line breaks,
  /// where a full stop between digits ("0.1 s") does not end a sentence.
  func sentence(around range: NSRange) -> NSRange {
    var start = range.location
    while start > 0, !isBoundary(at: start - 1) { start -= 1 }
    var end = range.location + range.length
    while end < utf16.length, !isBoundary(at: end) { end += 1 }
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
    let unit = utf16.character(at: index)
    switch unit {
    case 0x21, 0x3F, 0x3B, 0x0A, 0x0D: return true  // ! ? ; \n \r
    case 0x2E:  // a full stop ends a sentence unless it sits inside a number
      let before = index > 0 ? utf16.character(at: index - 1) : 0
      let after = index + 1 < utf16.length ? utf16.character(at: index + 1) : 0
      return !(Self.isDigit(before) && Self.isDigit(after))
    default: return false
    }
  }

  private static func isDigit(_ unit: unichar) -> Bool { unit >= 0x30 && unit <= 0x39 }
}

extension NSRegularExpression {
  /// A case-insensitive pattern known at build time; a typo in one is a programming error.
  static func caseless(_ pattern: String) -> NSRegularExpression {
    do {
      return try NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
    } catch {
      preconditionFailure("bad built-in pattern \(pattern): \(error)")
    }
  }
}
