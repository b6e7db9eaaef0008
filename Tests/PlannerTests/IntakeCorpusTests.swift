import Foundation
import Testing

/// The extractor on a second corpus of 100 briefs in the styles people write in (bullet
/// lists, emails, tickets, tables, chat, tenders), with mixed units and currencies, ranges,
/// negations and figures from the past. Its rules are tuned on the "tune" half only; the
/// "held" half measures how they generalise, so its misses are not printed: only its
/// per-field table, which a rule written to fix one held brief would not improve honestly.
@Suite struct IntakeCorpusTests {
  static let corpus = "intake-corpus"

  @Test func theCorpusIsTwoEqualHalves() throws {
    let cases = try ExtractionScore.load(Self.corpus)
    #expect(cases.count >= 100)
    #expect(cases.filter { $0.half == "tune" }.count == cases.filter { $0.half == "held" }.count)
    #expect(cases.allSatisfy { $0.half == "tune" || $0.half == "held" })
    #expect(Set(cases.map(\.name)).count == cases.count)
  }

  @Test func theTuningHalfWithItsMisses() throws {
    let score = ExtractionScore(try ExtractionScore.load(Self.corpus).filter { $0.half == "tune" })
    print(score.table(title: "intake corpus, tuning half") + "\n" + score.misses.map { "  miss: \($0)" }.joined(separator: "\n"))
    #expect(score.f1 >= 0.9)
  }

  @Test func theHeldHalfScoresAtLeastF1OfPointNine() throws {
    let score = ExtractionScore(try ExtractionScore.load(Self.corpus).filter { $0.half == "held" })
    let table = score.table(title: "intake corpus, held half")
    print(table)
    #expect(score.f1 >= 0.9, "\(table)")
    #expect(score.precision >= score.recall, "precision before recall: an unsure value is asked, not guessed\n\(table)")
  }
}
