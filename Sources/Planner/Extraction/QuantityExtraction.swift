import Contracts
import Domain
import Foundation

/// Figures with units: the latency target, throughput, availability, data volume and rows.
enum QuantityExtraction {
  static let number = NumberWords.pattern

  // MARK: Latency

  static let duration = NSRegularExpression.builtIn(
    #"(sub[-\s]?)?(\#(number))\s*(ms|msec|millisec(?:ond)?s?|milliseconds?|millis|s|secs?|seconds?)\b"#)
  static let latencyCue = NSRegularExpression.builtIn(
    #"(laten|latan|latnc|respon|p9[059]|tail|slo|round[- ]trip|answer|repl(y|ies)|return|predict|score|inference|serve|fast|result|alert|block|flag)"#
  )
  /// A deadline word just before a figure ("within 5 s", "in under 2 seconds").
  static let deadline = NSRegularExpression.builtIn(#"(within|under|in less than|below)\s*$"#)

  static func latency(_ brief: BriefText) -> Mlops_V1_NumberValue? {
    var mentions: [Mention<Double>] = []
    for match in brief.matches(duration) {
      guard let value = brief.group(match, 2).flatMap(NumberWords.parse), value > 0 else { continue }
      let unit = (brief.group(match, 3) ?? "").lowercased()
      let milliseconds = unit.hasPrefix("m") ? value : value * 1000
      let sentence = brief.string(brief.sentence(around: match.range)).lowercased()
      let before = Cues.clause(before: brief, match.range)
      var score = 1.0
      if !unit.hasPrefix("m") {
        // Seconds are a latency only when the sentence says so and the figure is small; a
        // deadline ("within 30 seconds") may be longer.
        let isDeadline = Cues.contains(deadline, brief.before(match.range, within: 16))
        guard value <= (isDeadline ? 60 : 10), isDeadline || Cues.contains(latencyCue, sentence) else { continue }
        guard !sentence.contains("timeout"), !sentence.contains("train") else { continue }
      }
      if Cues.contains(latencyCue, sentence) { score += 1 }
      if brief.group(match, 1) != nil || Cues.contains(Cues.target, before) { score += 2 }
      if sentence.contains("p95") || sentence.contains("95th") { score += 1 }
      if Cues.distractor(brief, match.range) { score -= 4 }
      mentions.append(Mention(value: milliseconds, range: match.range, score: score))
    }
    return mentions.numberValue(unit: "ms", in: brief, confidence: mentions.confidence(base: 0.9))
  }

  // MARK: Throughput

  static let rate = NSRegularExpression.builtIn(
    #"(\#(number))\s*(?:(rps|qps|tps|req/s|reqs?/sec|requests?/s(?:ec)?)\b|(?:(?:inference|prediction|scoring|api|model|fraud|score)\s+)?(requests?|predictions?|inferences?|queries|txns?|(?!(?:seconds|secs|minutes|mins|hours|days|weeks|months|years|times|bytes|gigabytes|terabytes|megabytes|dollars|euros|pounds|bucks|cents)\b)[a-z]{2,}s)\s*(?:per|/|a|an|each|every)\s*(second|sec|s|minute|min|hour|hr|day|month)\b)"#
  )
  static let peakFollowUp = NSRegularExpression.builtIn(
    #"^[^\d.;]{0,40}?(\#(number))\s+(?:at|during|in|on)\s+(?:the\s+)?(?:[a-z]+\s+)?peak\b"#)
  static let perSecond: [String: Double] = [
    "second": 1, "sec": 1, "s": 1, "minute": 60, "min": 60, "hour": 3600, "hr": 3600, "day": 86_400,
    "month": 2_592_000,
  ]

  static func throughput(_ brief: BriefText) -> Mlops_V1_NumberValue? {
    var mentions: [Mention<Double>] = []
    for match in brief.matches(rate) {
      guard let value = brief.group(match, 1).flatMap(NumberWords.parse), value > 0 else { continue }
      let perSecondValue: Double
      if brief.group(match, 2) != nil {
        perSecondValue = value
      } else if let unit = brief.group(match, 4)?.lowercased(), let seconds = perSecond[unit] {
        perSecondValue = value / seconds
      } else {
        continue
      }
      let before = Cues.clause(before: brief, match.range)
      let after = brief.after(match.range, within: 20)
      var score = 1.0
      if before.contains("peak") || after.contains("peak") || before.contains("burst") { score += 2 }
      if Cues.contains(Cues.target, before) || before.contains("handle") || before.contains("expect") { score += 1 }
      if Cues.distractor(brief, match.range) { score -= 4 }
      if before.contains("average") || before.contains("avg") || before.contains("typical") { score -= 0.5 }
      mentions.append(Mention(value: (perSecondValue * 1000).rounded() / 1000, range: match.range, score: score))
      // "300 requests per second on a normal day, maybe 900 at peak": the peak is the same unit.
      let sentence = brief.sentence(around: match.range)
      let end = match.range.location + match.range.length
      let rest = NSRange(location: end, length: min(80, sentence.location + sentence.length - end))
      if let peak = brief.matches(peakFollowUp, in: rest).first,
        let peakValue = brief.group(peak, 1).flatMap(NumberWords.parse), peakValue > value
      {
        let scaled = perSecondValue * peakValue / value
        mentions.append(Mention(value: (scaled * 1000).rounded() / 1000, range: peak.range(at: 1), score: score + 2))
      }
    }
    return mentions.numberValue(unit: "requests/s", in: brief, confidence: mentions.confidence(base: 0.9))
  }

  // MARK: Availability

  static let percent = NSRegularExpression.builtIn(#"(\d{2}(?:\.\d+)?)\s*%"#)
  static let nines = NSRegularExpression.builtIn(#"\b(two|three|four|five|2|3|4|5)[\s-]+nines\b"#)
  static let availabilityCue = NSRegularExpression.builtIn(#"(uptime|availab|\bsla\b|\bslo\b|nines|\bup\b|downtime)"#)

  static func availability(_ brief: BriefText) -> Mlops_V1_NumberValue? {
    var mentions: [Mention<Double>] = []
    for match in brief.matches(percent) {
      guard let value = brief.group(match, 1).flatMap(Double.init), value >= 90, value < 100 else { continue }
      let sentence = brief.string(brief.sentence(around: match.range))
      guard Cues.contains(availabilityCue, sentence) else { continue }
      mentions.append(Mention(value: value, range: match.range, score: Cues.distractor(brief, match.range) ? -1 : 2))
    }
    for match in brief.matches(nines) {
      let word = (brief.group(match, 1) ?? "").lowercased()
      let count = ["two": 2, "three": 3, "four": 4, "five": 5, "2": 2, "3": 3, "4": 4, "5": 5][word] ?? 0
      guard count >= 2 else { continue }
      let value = 100 - 100 / pow(10, Double(count))
      mentions.append(Mention(value: (value * 1000).rounded() / 1000, range: match.range, score: 2))
    }
    return mentions.numberValue(unit: "%", in: brief, confidence: mentions.confidence(base: 0.9))
  }

  // MARK: Data volume and rows

  static let size = NSRegularExpression.builtIn(
    #"(\#(number))\s*(pb|tb|gb|mb|petabytes?|terabytes?|gigabytes?|megabytes?)\b"#)
  static let gigabytes: [Character: Double] = ["p": 1_000_000, "t": 1_000, "g": 1, "m": 0.001]
  static let notData = NSRegularExpression.builtIn(#"(memory|\bram\b|vram|model (size|weights)|weights|gpu)"#)

  static func dataVolume(_ brief: BriefText) -> Mlops_V1_NumberValue? {
    var mentions: [Mention<Double>] = []
    for match in brief.matches(size) {
      guard let value = brief.group(match, 1).flatMap(NumberWords.parse), value > 0,
        let unit = brief.group(match, 2)?.lowercased().first, let factor = gigabytes[unit]
      else { continue }
      let sentence = brief.string(brief.sentence(around: match.range))
      let before = brief.before(match.range, within: 30)
      guard !Cues.contains(notData, before) else { continue }
      var score = 1.0
      if Cues.contains(notData, sentence) { score -= 0.5 }
      if sentence.lowercased().contains("per day") || brief.after(match.range, within: 12).contains("a day") { score -= 0.5 }
      mentions.append(Mention(value: value * factor, range: match.range, score: score + value * factor / 1e9))
    }
    return mentions.numberValue(unit: "GB", in: brief, confidence: mentions.count > 1 ? 0.7 : 0.85)
  }

  static let count = NSRegularExpression.builtIn(
    #"(\#(number))\s+(?:[a-z]+\s+)?(rows|records|samples|examples|images|documents|transactions|events|tickets|reviews|claims|log lines|sessions|returns|orders)\b"#
  )
  static let rateAfter = NSRegularExpression.builtIn(
    #"^\s*(per|a|an|each|every|/)\s*(second|sec|s\b|minute|min|hour|day|week|month)"#)

  static func rows(_ brief: BriefText) -> Mlops_V1_NumberValue? {
    var mentions: [Mention<Double>] = []
    for match in brief.matches(count) {
      guard let value = brief.group(match, 1).flatMap(NumberWords.parse), value >= 100 else { continue }
      guard !Cues.contains(rateAfter, brief.after(match.range, within: 16)) else { continue }
      mentions.append(Mention(value: value, range: match.range, score: 1 + value / 1e12))
    }
    return mentions.numberValue(unit: "rows", in: brief, confidence: mentions.count > 1 ? 0.7 : 0.85)
  }
}
