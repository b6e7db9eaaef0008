import Domain
import Foundation

/// Many keyword patterns matched in one pass: one regular expression with a group per
/// entry, so a brief is scanned once rather than once per entry.
struct KeywordTable<Value: Sendable>: Sendable {
  struct Hit {
    /// The entry's position in the table (its priority, for tables where order matters).
    var index: Int
    var value: Value
    var range: NSRange
  }

  let values: [Value]
  let regex: NSRegularExpression

  init(_ entries: [(Value, String)]) {
    values = entries.map(\.0)
    regex = .builtIn(entries.map { "(" + Self.nonCapturing($0.1) + ")" }.joined(separator: "|"))
  }

  func hits(in brief: BriefText, range: NSRange? = nil) -> [Hit] {
    brief.matches(regex, in: range).compactMap { match in
      for index in values.indices where match.range(at: index + 1).location != NSNotFound {
        return Hit(index: index, value: values[index], range: match.range(at: index + 1))
      }
      return nil
    }
  }

  /// Turns an entry's own groups into non-capturing ones, so group n is entry n.
  static func nonCapturing(_ pattern: String) -> String {
    var result = ""
    var previous: Character?
    var characters = pattern.makeIterator()
    var pending = characters.next()
    while let character = pending {
      let next = characters.next()
      if character == "(", previous != "\\", next != "?" {
        result += "(?:"
      } else {
        result.append(character)
      }
      previous = character == "\\" && previous == "\\" ? nil : character
      pending = next
    }
    return result
  }
}
