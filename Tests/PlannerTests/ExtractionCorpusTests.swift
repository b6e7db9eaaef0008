import Contracts
import Foundation
import Planner
import Testing

/// The deterministic extractor against briefs written by people, messy on purpose: numbers
/// as words, ranges, units in any spelling, figures about the old system, typos.
@Suite struct ExtractionCorpusTests {
  struct Case {
    var name: String
    var brief: String
    var expected: [String: ConstraintFields.Value]
  }

  static func corpus() throws -> [Case] {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/briefs", withExtension: "json"))
    let items = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [[String: Any]])
    return items.map {
      Case(
        name: $0["name"] as? String ?? "?", brief: $0["brief"] as? String ?? "",
        expected: ConstraintFields.expected($0["expected"] as? [String: Any] ?? [:]))
    }
  }

  @Test func fieldLevelPrecisionAndRecallOverTheCorpus() throws {
    let corpus = try Self.corpus()
    #expect(corpus.count >= 30)
    let extractor = IntakeExtractor()
    var truePositives: [String: Int] = [:]
    var falsePositives: [String: Int] = [:]
    var falseNegatives: [String: Int] = [:]
    var misses: [String] = []
    for item in corpus {
      let found = ConstraintFields.flatten(extractor.extract(item.brief))
      for field in Set(found.keys).union(item.expected.keys).sorted() {
        switch (found[field], item.expected[field]) {
        case (let got?, let want?) where got == want: truePositives[field, default: 0] += 1
        case (let got?, let want?):
          falsePositives[field, default: 0] += 1
          falseNegatives[field, default: 0] += 1
          misses.append("\(item.name).\(field): got \(got), want \(want)")
        case (let got?, nil):
          falsePositives[field, default: 0] += 1
          misses.append("\(item.name).\(field): got \(got), want nothing")
        case (nil, let want?):
          falseNegatives[field, default: 0] += 1
          misses.append("\(item.name).\(field): got nothing, want \(want)")
        default: break
        }
      }
    }
    let tp = Double(truePositives.values.reduce(0, +))
    let fp = Double(falsePositives.values.reduce(0, +))
    let fn = Double(falseNegatives.values.reduce(0, +))
    let precision = tp / max(tp + fp, 1)
    let recall = tp / max(tp + fn, 1)
    let f1 = 2 * precision * recall / max(precision + recall, 0.0001)
    var report = [
      String(format: "corpus of %d briefs: precision %.3f, recall %.3f, F1 %.3f", corpus.count, precision, recall, f1)
    ]
    for field in Set(truePositives.keys).union(falsePositives.keys).union(falseNegatives.keys).sorted() {
      let t = Double(truePositives[field] ?? 0)
      let p = t / max(t + Double(falsePositives[field] ?? 0), 1)
      let r = t / max(t + Double(falseNegatives[field] ?? 0), 1)
      report.append(String(format: "  %-24@ precision %.2f recall %.2f", field as NSString, p, r))
    }
    print((report + misses.map { "  miss: \($0)" }).joined(separator: "\n"))
    #expect(f1 >= 0.9, "\(report.joined(separator: "\n"))\n\(misses.joined(separator: "\n"))")
  }

  @Test func everyExtractedValueCarriesTheSpanItCameFrom() throws {
    for item in try Self.corpus() {
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
  ])
  func extractionOfALongPathologicalBriefFinishes(brief: String) {
    _ = IntakeExtractor().extract(brief)
  }
}
