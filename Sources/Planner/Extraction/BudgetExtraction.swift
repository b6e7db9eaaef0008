import Contracts
import Domain
import Foundation

/// The monthly budget band: "$2–5k a month", "3,000 USD per month", "under €4k/month",
/// "about $60k a year" (→ a month), each with its USD equivalent.
enum BudgetExtraction {
  /// USD per unit of each currency, fixed so the same brief always gives the same band;
  /// read on 2026-11-01.
  static let usdRates: [String: Double] = ["USD": 1, "EUR": 1.08, "GBP": 1.27, "CAD": 0.72, "AUD": 0.66, "CHF": 1.13]
  static let ratesDate = "2026-11-01"

  static let number = NumberWords.pattern
  static let symbol = #"(\$|€|£|us\$|usd|eur|gbp|cad|aud|chf)"#
  static let code = #"(usd|eur|gbp|cad|aud|chf|dollars?|euros?|pounds?|bucks|€|£)"#
  static let money = NSRegularExpression.builtIn(
    #"(?:\#(symbol)\s?(\#(number))(?:\s*(?:-|–|—|to|and)\s*(?:\$|€|£)?\s?(\#(number)))?|(\#(number))(?:\s*(?:-|–|—|to)\s*(\#(number)))?\s*\#(code)(?![a-z]))"#
  )
  static let monthly = NSRegularExpression.builtIn(#"^\W{0,3}(a|per|/|each|every)?\s*(month|mo)\b|^\W{0,3}monthly"#)
  static let yearly = NSRegularExpression.builtIn(#"^\W{0,3}(a|per|/|each|every)?\s*(year|yr|annum)\b|^\W{0,3}(annually|yearly)"#)
  static let budgetCue = NSRegularExpression.builtIn(
    #"(budg|bugdet|budjet|spend|cost|afford|cap\b|capped|bill|run (it )?for|pay|infra|aws|cloud|month|monthly|annual|per year|a year)"#
  )
  static let notBudget = NSRegularExpression.builtIn(
    #"(revenue|lose|loss|losses|saves?|saving|worth|sales|gmv|funding|raised|salar|fine|penalt|fraud of|chargeback|per transaction|basket|order value|price of|prices)"#
  )
  /// A ceiling word, then at most a few words ("maximum annual budget:", "budget ceiling is").
  static let ceiling = NSRegularExpression.builtIn(
    #"(under|below|less than|at most|no more than|up to|max(imum)?|cap(ped)?( at)?|within|not exceed|≤|<|ceiling|limit)(\W+[a-z]+){0,3}\W*$"#
  )
  /// A year named anywhere in the sentence ("annual operating cost shall not exceed …").
  static let yearlySentence = NSRegularExpression.builtIn(#"\b(annual(ly)?|yearly|per (year|annum)|a year)\b"#)
  /// An amount with a scale and no currency ("budget is like 10k a month"), read only in a
  /// sentence about the budget, as dollars, and less surely.
  static let bareAmount = NSRegularExpression.builtIn(
    #"(?<![\w$€£.,])(\d{1,4}(?:\.\d{1,2})?\s?(?:k|thousand))\b(?!\s*(?:usd|eur|gbp|cad|aud|chf|dollars?|euros?|pounds?|€|£))"#)
  /// "3.500": a dot before exactly three digits in an amount is a thousands separator.
  static let dottedThousands = NSRegularExpression.builtIn(#"^\d{1,3}(\.\d{3})+$"#)

  static let ceilingAfter = NSRegularExpression.builtIn(
    #"^\W*((a|per|/)\s*(month|mo|year)\w*\W*)?(max(imum)?|at most|tops|or less|ceiling|cap)\b"#)

  static func band(_ brief: BriefText) -> Mlops_V1_BudgetBand? {
    var mentions: [Mention<(min: Double, max: Double, currency: String, yearly: Bool)>] = []
    for match in brief.matches(money) {
      let symbolText = brief.group(match, 1) ?? brief.group(match, 6) ?? ""
      let firstText = brief.group(match, 2) ?? brief.group(match, 4)
      let secondText = brief.group(match, 3) ?? brief.group(match, 5)
      guard let firstText, var first = Self.amount(firstText) else { continue }
      let currency = Self.currency(symbolText)
      var second = secondText.flatMap(Self.amount)
      // "$2–5k": the scale written once applies to both ends.
      if let high = second, let secondText, Self.hasScale(secondText), !Self.hasScale(firstText), first * 100 <= high {
        first *= high / (NumberWords.parse(secondText.filter { $0.isNumber || $0 == "." }) ?? high)
      }
      if let high = second, high < first { second = nil }
      let around = Surroundings(brief, match.range)
      guard !around.isAboutSomethingElse else { continue }
      let (before, after, sentence) = (around.before, around.after, around.sentence)
      let isMonthly = Cues.contains(monthly, after) || before.contains("monthly") || before.contains("a month")
      let isYearly = Cues.contains(yearly, after) || (!isMonthly && Cues.contains(yearlySentence, sentence))
      var score = 0.0
      if Cues.contains(budgetCue, sentence) { score += 1 }
      if isMonthly || isYearly { score += 1.5 }
      if sentence.lowercased().contains("budg") { score += 1 }
      if Cues.distractor(brief, match.range) { score -= 3 }
      guard score > 0 else { continue }
      let band: (Double, Double) =
        if let second { (first, second) } else if around.isCeiling { (0, first) } else { (first, first) }
      mentions.append(Mention(value: (band.0, band.1, currency, isYearly), range: match.range, score: score))
    }
    var assumedCurrency = false
    if mentions.isEmpty {
      mentions = bareAmounts(brief)
      assumedCurrency = true
    }
    guard let best = mentions.best() else { return nil }
    let divisor = best.value.yearly ? 12.0 : 1.0
    let rate = usdRates[best.value.currency] ?? 1
    func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }
    return .with {
      $0.min = rounded(best.value.min / divisor)
      $0.max = rounded(best.value.max / divisor)
      $0.currency = best.value.currency
      $0.minUsd = rounded(best.value.min / divisor * rate)
      $0.maxUsd = rounded(best.value.max / divisor * rate)
      $0.provenance = best.provenance(in: brief, confidence: assumedCurrency ? 0.5 : best.score >= 2.5 ? 0.9 : 0.7)
    }
  }

  /// Amounts without a currency, in sentences that name the budget and a month or a year.
  private static func bareAmounts(_ brief: BriefText) -> [Mention<(min: Double, max: Double, currency: String, yearly: Bool)>] {
    brief.matches(bareAmount).compactMap { match in
      let around = Surroundings(brief, match.range)
      guard around.sentence.lowercased().contains("budg"), !around.isAboutSomethingElse,
        !Cues.distractor(brief, match.range), let value = brief.group(match, 1).flatMap(NumberWords.parse)
      else { return nil }
      let isYearly = Cues.contains(yearly, around.after)
      guard isYearly || Cues.contains(monthly, around.after) else { return nil }
      return Mention(value: (around.isCeiling ? 0 : value, value, "USD", isYearly), range: match.range, score: 1)
    }
  }

  /// The words either side of an amount and its sentence, which say what the amount is.
  private struct Surroundings {
    let before: String
    let after: String
    let sentence: String

    init(_ brief: BriefText, _ range: NSRange) {
      before = brief.before(range, within: 30)
      after = brief.after(range, within: 20)
      sentence = brief.string(brief.sentence(around: range))
    }

    /// Revenue, losses, prices and the like: money, but not what the system may cost.
    var isAboutSomethingElse: Bool { Cues.contains(notBudget, before + " " + after) }
    /// "under $5k", "$5k a month max": a ceiling, not a point.
    var isCeiling: Bool { Cues.contains(ceiling, before) || Cues.contains(ceilingAfter, after) }
  }

  /// An amount as written, where "3.500" is three thousand five hundred.
  private static func amount(_ text: String) -> Double? {
    guard Cues.contains(dottedThousands, text) else { return NumberWords.parse(text) }
    return NumberWords.parse(text.replacingOccurrences(of: ".", with: ""))
  }

  static func currency(_ text: String) -> String {
    switch text.lowercased() {
    case "€", "eur", "euro", "euros": "EUR"
    case "£", "gbp", "pound", "pounds": "GBP"
    case "cad": "CAD"
    case "aud": "AUD"
    case "chf": "CHF"
    default: "USD"
    }
  }

  private static func hasScale(_ text: String) -> Bool {
    text.lowercased().contains { "kmb".contains($0) } || text.lowercased().contains("thousand")
      || text.lowercased().contains("million")
  }
}
