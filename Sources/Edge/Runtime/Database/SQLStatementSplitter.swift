import Foundation

/// Splits a SQL script into statements at top-level semicolons, leaving alone those inside
/// quotes ('...', "..."), dollar quotes ($$...$$, $tag$...$tag$) and comments. PostgresNIO
/// runs one statement per query, and migration files hold several.
package enum SQLStatementSplitter {
  package static func split(_ script: String) -> [String] {
    let chars = Array(script.unicodeScalars)
    var statements: [String] = []
    var current = String.UnicodeScalarView()
    var hasContent = false
    var index = 0

    func finish() {
      let text = String(current).trimmingCharacters(in: .whitespacesAndNewlines)
      if hasContent, !text.isEmpty { statements.append(text) }
      current = String.UnicodeScalarView()
      hasContent = false
    }
    func starts(with token: [Unicode.Scalar], at position: Int) -> Bool {
      position + token.count <= chars.count && Array(chars[position..<position + token.count]) == token
    }

    while index < chars.count {
      let c = chars[index]
      if c == "-", starts(with: ["-", "-"], at: index) {
        // Line comment: dropped, so a file of comments yields no statement.
        while index < chars.count, chars[index] != "\n" { index += 1 }
        continue
      }
      if c == "/", starts(with: ["/", "*"], at: index) {
        var depth = 0
        repeat {
          if starts(with: ["/", "*"], at: index) {
            depth += 1; index += 2
          } else if starts(with: ["*", "/"], at: index) {
            depth -= 1; index += 2
          } else {
            index += 1
          }
        } while depth > 0 && index < chars.count
        current.append(" ")
        continue
      }
      if c == "'" || c == "\"" {
        let quote = c
        current.append(c)
        index += 1
        while index < chars.count {
          current.append(chars[index])
          if chars[index] == quote {
            if index + 1 < chars.count, chars[index + 1] == quote {  // doubled quote escapes itself
              current.append(chars[index + 1])
              index += 2
              continue
            }
            index += 1
            break
          }
          index += 1
        }
        hasContent = true
        continue
      }
      if c == "$", let tag = dollarTag(chars, at: index) {
        current.append(contentsOf: tag)
        index += tag.count
        while index < chars.count, !starts(with: tag, at: index) {
          current.append(chars[index])
          index += 1
        }
        if index < chars.count {
          current.append(contentsOf: tag)
          index += tag.count
        }
        hasContent = true
        continue
      }
      if c == ";" {
        finish()
        index += 1
        continue
      }
      if !c.properties.isWhitespace { hasContent = true }
      current.append(c)
      index += 1
    }
    finish()
    return statements
  }

  /// `$$` or `$tag$` (tag: letters, digits, underscores, not starting with a digit) at `index`.
  private static func dollarTag(_ chars: [Unicode.Scalar], at index: Int) -> [Unicode.Scalar]? {
    var end = index + 1
    while end < chars.count, chars[end] != "$" {
      let c = chars[end]
      let isTagChar = c == "_" || c.properties.isAlphabetic || (end > index + 1 && ("0"..."9").contains(c))
      guard isTagChar else { return nil }
      end += 1
    }
    guard end < chars.count else { return nil }
    return Array(chars[index...end])
  }
}
