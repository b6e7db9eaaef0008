import Contracts
import Foundation
import Planner
import Testing

/// The deterministic extractor against briefs written by people, messy on purpose: numbers
/// as words, ranges, units in any spelling, figures about the old system, typos.
@Suite struct ExtractionCorpusTests {
  @Test func fieldLevelPrecisionAndRecallOverTheCorpus() throws {
    let corpus = try ExtractionScore.load("briefs")
    #expect(corpus.count >= 30)
    let score = ExtractionScore(corpus)
    let report = score.table(title: "corpus") + "\n" + score.misses.map { "  miss: \($0)" }.joined(separator: "\n")
    print(report)
    #expect(score.f1 >= 0.9, "\(report)")
  }

  @Test func everyExtractedValueCarriesTheSpanItCameFrom() throws {
    for item in try ExtractionScore.load("briefs") {
      let constraints = IntakeExtractor().extract(item.brief)
      let scalars = Array(item.brief.unicodeScalars)
      for provenance in [
        constraints.problemType.provenance, constraints.latencyP95Ms.provenance, constraints.monthlyBudget.provenance,
        constraints.allowedRegions.provenance, constraints.dataClass.provenance,
      ] where provenance.kind == .text {
        let span = provenance.span
        #expect(span.start >= 0 && span.end <= scalars.count && span.start < span.end, "\(item.name)")
        let text = String(String.UnicodeScalarView(scalars[Int(span.start)..<Int(span.end)]))
        #expect(text == span.text, "\(item.name): span \(span.start)..<\(span.end)")
        #expect(provenance.confidence > 0 && provenance.confidence <= 1)
      }
    }
  }

  @Test func unknownStaysUnknown() {
    let constraints = IntakeExtractor().extract("We'd like to use machine learning to help our marketing team somehow.")
    #expect(constraints == Mlops_V1_Constraints(), "nothing stated, nothing invented")
  }

  @Test func theTargetWinsOverTheOldSystemsFigure() {
    let constraints = IntakeExtractor().extract("The old system had 300 ms, we need under 120 ms.")
    #expect(constraints.latencyP95Ms.value == 120)
  }
}

/// Briefs an attacker (or a fuzzer) might send: the longest the API accepts, made of what the
/// patterns look for. Extraction must stay linear; a quadratic pattern would hang here.
@Suite(.timeLimit(.minutes(1))) struct AdversarialBriefTests {
  static let longest = 20_000

  @Test(arguments: [
    String(repeating: "7", count: longest),
    String(repeating: "1,000", count: longest / 5),
    String(repeating: "one ", count: longest / 4),
    String(repeating: "9 ms ", count: longest / 5),
    String(repeating: "$", count: longest),
    String(repeating: "eu ", count: longest / 3),
    String(repeating: " ", count: longest - 1) + "x",
    String(repeating: "retrain weekly ", count: longest / 15),
    String(repeating: "generate the a b notes ", count: longest / 23),
    String(repeating: "classify of a b tickets ", count: longest / 24),
    String(repeating: "budget 10k a month tops ", count: longest / 24),
    String(repeating: "1,5 3.500 ", count: longest / 10),
    String(repeating: "300 requests per second, maybe 900 at peak ", count: longest / 44),
  ])
  func extractionOfALongPathologicalBriefFinishes(brief: String) {
    _ = IntakeExtractor().extract(brief)
  }
}
