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
  static let code = #"(usd|eur|gbp|cad|aud|chf|dollars?|euros?|pounds?|bucks)"#
  static let money = NSRegularExpression.builtIn(
    #"(?:\#(symbol)\s?(\#(number))(?:\s*(?:-|–|—|to|and)\s*(?:\$|€|£)?\s?(\#(number)))?|(\#(number))(?:\s*(?:-|–|—|to)\s*(\#(number)))?\s*\#(code)\b)"#
  )
  static let monthly = NSRegularExpression.builtIn(#"^\W{0,3}(a|per|/|each|every)?\s*(month|mo)\b|^\W{0,3}monthly"#)
  static let yearly = NSRegularExpression.builtIn(#"^\W{0,3}(a|per|/|each|every)?\s*(year|yr|annum)\b|^\W{0,3}(annually|yearly)"#)
  static let budgetCue = NSRegularExpression.builtIn(
    #"(budg|bugdet|budjet|spend|cost|afford|cap\b|capped|bill|run (it )?for|pay|infra|aws|cloud|month|monthly|annual|per year|a year)"#
  )
  static let notBudget = NSRegularExpression.builtIn(
    #"(revenue|lose|loss|losses|saves?|saving|worth|sales|gmv|funding|raised|salar|fine|penalt|fraud of|chargeback|per transaction|basket|order value|price of|prices)"#
  )
  static let ceiling = NSRegularExpression.builtIn(
    #"(under|below|less than|at most|no more than|up to|max(imum)?|cap(ped)?( at)?|within|not exceed|≤|<|ceiling|limit)\W*$"#)

  static let ceilingAfter = NSRegularExpression.builtIn(
    #"^\W*((a|per|/)\s*(month|mo|year)\w*\W*)?(max(imum)?|at most|tops|or less|ceiling|cap)\b"#)

  static func band(_ brief: BriefText) -> Mlops_V1_BudgetBand? {
    var mentions: [Mention<(min: Double, max: Double, currency: String, yearly: Bool)>] = []
    for match in brief.matches(money) {
      let symbolText = brief.group(match, 1) ?? brief.group(match, 6) ?? ""
      let firstText = brief.group(match, 2) ?? brief.group(match, 4)
      let secondText = brief.group(match, 3) ?? brief.group(match, 5)
      guard let firstText, var first = NumberWords.parse(firstText) else { continue }
      let currency = Self.currency(symbolText)
      var second = secondText.flatMap(NumberWords.parse)
      // "$2–5k": the scale written once applies to both ends.
      if let high = second, let secondText, Self.hasScale(secondText), !Self.hasScale(firstText), first * 100 <= high {
        first *= high / (NumberWords.parse(secondText.filter { $0.isNumber || $0 == "." }) ?? high)
      }
      if let high = second, high < first { second = nil }
      let sentence = brief.string(brief.sentence(around: match.range))
      let before = brief.before(match.range, within: 30)
      let after = brief.after(match.range, within: 20)
      let clause = Cues.clause(before: brief, match.range)
      guard !Cues.contains(notBudget, before + " " + after) else { continue }
      let isYearly = Cues.contains(yearly, after) || before.contains("annual") || before.contains("yearly")
      let isMonthly = Cues.contains(monthly, after) || before.contains("monthly") || before.contains("a month")
      var score = 0.0
      if Cues.contains(budgetCue, sentence) { score += 1 }
      if isMonthly || isYearly { score += 1.5 }
      if sentence.lowercased().contains("budg") { score += 1 }
      if Cues.contains(Cues.past, clause) { score -= 3 }
      guard score > 0 else { continue }
      let isCeiling = Cues.contains(ceiling, before) || Cues.contains(ceilingAfter, after)
      let band: (Double, Double) = if let second { (first, second) } else if isCeiling { (0, first) } else { (first, first) }
      mentions.append(Mention(value: (band.0, band.1, currency, isYearly), range: match.range, score: score))
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
      $0.provenance = best.provenance(in: brief, confidence: best.score >= 2.5 ? 0.9 : 0.7)
    }
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
