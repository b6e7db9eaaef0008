import Foundation
import Planner
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

/// The wrong values the issue saw on briefs written by other people, one sentence each.
@Suite struct IntakeWrongValuesTests {
  @Test func recommendationsWithImageFeaturesAreNotComputerVision() {
    let constraints = IntakeExtractor().extract(
      "Product recommendations for the app feed; product photos are one of the features.")
    #expect(constraints.problemType.value == .recommendation)
  }

  @Test func churnWhoseScoresPersonaliseAnOfferIsNotARecommender() {
    let constraints = IntakeExtractor().extract(
      "Churn prediction for subscribers; the retention team personalises the offer by hand.")
    #expect(constraints.problemType.value == .classification)
  }

  @Test func eventsScoredAsTheyArriveAreStreamingNotOnline() {
    let constraints = IntakeExtractor().extract(
      "Score each event from the Kinesis stream as it arrives for fraud; results within 2 s are fine.")
    #expect(constraints.inferenceMode.value == .streaming)
    #expect(constraints.latencyP95Ms.value == 2000)
  }

  @Test func confidentialDataWithNoPIIIsConfidential() {
    let constraints = IntakeExtractor().extract("Supplier contracts are confidential; there is no PII in them, legal checked.")
    #expect(constraints.dataClass.value == .confidential)
  }

  @Test func theCadenceOfTheProcessBeingLeftIsNotTheNewOne() {
    let constraints = IntakeExtractor().extract(
      "Today the model is retrained quarterly by an analyst; we are leaving that process, and the new pipeline must retrain it weekly."
    )
    #expect(constraints.retrainCadence.value == .weekly)
    let reversed = IntakeExtractor().extract(
      "The new pipeline must retrain it weekly. Today the model is retrained quarterly by an analyst, a process we are leaving.")
    #expect(reversed.retrainCadence.value == .weekly)
  }
}
