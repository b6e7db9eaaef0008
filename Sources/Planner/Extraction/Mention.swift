import Contracts
import Foundation

/// One place in the brief where a value was found, with how sure the extractor is of it.
struct Mention<Value> {
  var value: Value
  var range: NSRange
  var score: Double

  func provenance(in brief: BriefText, confidence: Double) -> Mlops_V1_Provenance {
    .with {
      $0.kind = .text
      $0.span = brief.span(range)
      $0.confidence = (min(max(confidence, 0), 1) * 100).rounded() / 100
    }
  }
}

extension Array {
  /// The best-scored mention; on a tie the later one, as people correct themselves forwards.
  func best<Value>() -> Mention<Value>? where Element == Mention<Value> {
    var chosen: Mention<Value>?
    for mention in self where chosen == nil || mention.score >= chosen!.score { chosen = mention }
    return chosen
  }

  /// The best mention as a figure with its unit and provenance; nil when there is none, or
  /// when even the best was scored as a figure from the past.
  func numberValue(unit: String, in brief: BriefText, confidence: Double) -> Mlops_V1_NumberValue?
  where Element == Mention<Double> {
    guard let best = best(), best.score > 0 else { return nil }
    return .with {
      $0.value = best.value
      $0.unit = unit
      $0.provenance = best.provenance(in: brief, confidence: confidence)
    }
  }

  /// Confidence from how clearly the best mention beats the runner-up.
  func confidence<Value>(base: Double) -> Double where Element == Mention<Value> {
    let scores = map(\.score).sorted(by: >)
    guard scores.count > 1 else { return base }
    return scores[0] - scores[1] >= 1 ? base : base - 0.2
  }
}
