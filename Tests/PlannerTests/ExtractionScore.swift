import Contracts
import Foundation
import Planner

/// Field-level precision and recall of the extractor over a labelled corpus. A value the
/// extractor is unsure of (below the coverage scorer's confidence floor) is asked, not
/// claimed: it counts as not extracted, so it costs recall and never precision.
struct ExtractionScore {
  struct Case {
    var name: String
    var brief: String
    var expected: [String: ConstraintFields.Value]
    var half: String?
  }

  private(set) var truePositives: [String: Int] = [:]
  private(set) var falsePositives: [String: Int] = [:]
  private(set) var falseNegatives: [String: Int] = [:]
  private(set) var misses: [String] = []
  private(set) var briefs = 0

  static func load(_ resource: String) throws -> [Case] {
    guard let url = Bundle.module.url(forResource: "Fixtures/\(resource)", withExtension: "json"),
      let items = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [[String: Any]]
    else { throw CocoaError(.fileReadCorruptFile) }
    return items.map {
      Case(
        name: $0["name"] as? String ?? "?", brief: $0["brief"] as? String ?? "",
        expected: ConstraintFields.expected($0["expected"] as? [String: Any] ?? [:]), half: $0["half"] as? String)
    }
  }

  init(_ cases: [Case], extractor: IntakeExtractor = IntakeExtractor(), floor: Double = CoverageScorer.Settings().lowConfidence) {
    for item in cases {
      briefs += 1
      let found = ConstraintFields.flatten(extractor.extract(item.brief), minimumConfidence: floor)
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
  }

  private static func ratio(_ part: Int, _ whole: Int) -> Double { Double(part) / Double(max(whole, 1)) }

  var precision: Double {
    let tp = truePositives.values.reduce(0, +)
    return Self.ratio(tp, tp + falsePositives.values.reduce(0, +))
  }

  var recall: Double {
    let tp = truePositives.values.reduce(0, +)
    return Self.ratio(tp, tp + falseNegatives.values.reduce(0, +))
  }

  var f1: Double { 2 * precision * recall / max(precision + recall, 0.0001) }

  /// The summary line and one line per field: precision, recall and the counts behind them.
  func table(title: String) -> String {
    var lines = [
      String(format: "%@ (%d briefs): precision %.3f, recall %.3f, F1 %.3f", title, briefs, precision, recall, f1),
      "  field                     precision  recall   tp  fp  fn",
    ]
    for field in Set(truePositives.keys).union(falsePositives.keys).union(falseNegatives.keys).sorted() {
      let tp = truePositives[field] ?? 0
      let fp = falsePositives[field] ?? 0
      let fn = falseNegatives[field] ?? 0
      let name = field.padding(toLength: 25, withPad: " ", startingAt: 0)
      lines.append(
        "  " + name + String(format: " %9.2f %7.2f %4d %3d %3d", Self.ratio(tp, tp + fp), Self.ratio(tp, tp + fn), tp, fp, fn))
    }
    return lines.joined(separator: "\n")
  }
}
