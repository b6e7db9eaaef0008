import Foundation

extension NSRegularExpression {
  /// A pattern known at build time; a typo in one is a programming error. Patterns are
  /// case-sensitive: the planner writes them in lower case for folded text
  /// (`BriefText.matches`, `Cues.contains`), in the case that matters for
  /// `BriefText.matchesAsWritten`.
  public static func builtIn(_ pattern: String) -> NSRegularExpression {
    do {
      return try NSRegularExpression(pattern: pattern)
    } catch {
      preconditionFailure("bad built-in pattern \(pattern): \(error)")
    }
  }
}
