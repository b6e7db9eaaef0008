import Domain
import Foundation

/// Words around a mention that say what it is: a target, a distractor (a figure from the
/// past or from someone else), a negation. Every extractor reads its mentions through these,
/// so "no PII", "the old system had 300 ms" and "a vendor quoted $30k" mean the same thing
/// to each of them.
enum Cues {
  /// Someone states what they need ("under", "at most", "target", "sub-").
  static let target = NSRegularExpression.builtIn(
    #"(need|must|should|under|below|less than|at most|within|max(imum)?|no more than|target|goal|sub|<|≤|require|expect|keep|stay|up to|aim|slo|sla|budget|cap|design for|plan for|size for)"#
  )
  /// A figure about the old system or the present state, not the goal.
  static let past = NSRegularExpression.builtIn(
    #"\b(old|current(ly)?|today|existing|legacy|previous(ly)?|used to|was|were|had|last (year|quarter|month)|before|now takes|now at|at the moment)\b"#
  )
  /// A figure that belongs to someone or something else: a vendor's quote, a competitor, the
  /// proof of concept.
  static let elsewhere = NSRegularExpression.builtIn(
    #"\b(competitors?|vendors?|quoted|quote|reportedly|poc|proof of concept|prototype|pilot)\b"#)
  static let negation = NSRegularExpression.builtIn(
    #"\b(no|not|nothing|none|without|never|don'?t|doesn'?t|isn'?t|aren'?t|outside( of)?|except|excluding|avoid|neither|nor)\b"#)

  /// Whether a lower-case pattern occurs in `text`, whatever its case.
  static func contains(_ regex: NSRegularExpression, _ text: String) -> Bool {
    let folded = text.lowercased()
    return regex.firstMatch(in: folded, range: NSRange(location: 0, length: folded.utf16.count)) != nil
  }

  static let leaving = NSRegularExpression.builtIn(
    #"^\s*(ever\s+)?(leaves?|goes|may leave|must leave|can leave|is sent|gets sent)\b"#)

  /// The clause a mention sits in, up to it: "the old system had 300 ms, we need under"
  /// gives "we need under".
  static func clause(before brief: BriefText, _ range: NSRange, within count: Int = 40) -> String {
    let before = brief.before(range, within: count)
    var clause = before.split(whereSeparator: { ",:(".contains($0) }).last.map(String.init) ?? before
    if let but = clause.range(of: " but ", options: .backwards) { clause = String(clause[but.upperBound...]) }
    return clause
  }

  /// Whether the clause before a mention makes it a distractor: a figure from the old
  /// process or today's state, or from a vendor, a competitor or a proof of concept.
  static func distractor(_ brief: BriefText, _ range: NSRange, within count: Int = 40) -> Bool {
    let clause = clause(before: brief, range, within: count)
    return contains(past, clause) || contains(elsewhere, clause)
  }

  /// Whether the few words before a mention negate it ("no PII", "not subject to HIPAA",
  /// "nothing customer-facing has PII"). "No PII leaves the EU" negates neither: it says
  /// there is PII, and where it must stay.
  static func negated(_ brief: BriefText, _ range: NSRange) -> Bool {
    let clause = clause(before: brief, range, within: 32)
    if clause.contains("leav") || contains(leaving, brief.after(range, within: 16)) { return false }
    return contains(negation, clause)
  }
}
