import Contracts
import Domain
import Foundation

/// Allowed AWS regions: region codes as written, scopes ("EU only", "US regions") and places
/// ("Frankfurt", "Ireland") turned into region codes. The EU scope holds only regions inside
/// the European Union (London and Zurich are not).
enum RegionExtraction {
  static let scopes: [(pattern: String, regions: [String])] = [
    (#"\beu\b(?!-)|european union"#, ["eu-central-1", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-3"]),
    (
      #"\beurope\b|\beuropean\b(?! union)"#,
      ["eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3"]
    ),
    (#"\bunited states\b|\bamerican?\b"#, unitedStates),
    (#"\b(uk|united kingdom|britain|british)\b"#, ["eu-west-2"]),
    (#"\b(canada|canadian)\b"#, ["ca-central-1"]),
    (#"\b(apac|asia[- ]pacific)\b"#, ["ap-northeast-1", "ap-northeast-2", "ap-south-1", "ap-southeast-1", "ap-southeast-2"]),
    (#"\b(australia|australian)\b"#, ["ap-southeast-2"]),
    (#"\b(japan|japanese)\b"#, ["ap-northeast-1"]),
    (#"\b(india|indian)\b"#, ["ap-south-1"]),
    (#"\b(brazil|brazilian)\b"#, ["sa-east-1"]),
    (#"\b(germany|german)\b"#, ["eu-central-1"]),
    (#"\b(france|french)\b"#, ["eu-west-3"]),
    (#"\b(switzerland|swiss)\b"#, ["eu-central-2"]),
    (#"\bfrankfurt\b"#, ["eu-central-1"]),
    (#"\b(ireland|irish|dublin)\b"#, ["eu-west-1"]),
    (#"\blondon\b"#, ["eu-west-2"]),
    (#"\bparis\b"#, ["eu-west-3"]),
    (#"\bstockholm\b|\bsweden\b"#, ["eu-north-1"]),
    (#"\bmilan\b|\bitaly\b"#, ["eu-south-1"]),
    (#"\b(madrid|spain)\b"#, ["eu-south-2"]),
    (#"\bzurich\b"#, ["eu-central-2"]),
    (#"\b(n\.? virginia|northern virginia|virginia)\b"#, ["us-east-1"]),
    (#"\bohio\b"#, ["us-east-2"]),
    (#"\boregon\b"#, ["us-west-2"]),
    (#"\b(n\.? california|northern california)\b"#, ["us-west-1"]),
    (#"\btokyo\b"#, ["ap-northeast-1"]),
    (#"\bseoul\b|\bkorea\b"#, ["ap-northeast-2"]),
    (#"\bsingapore\b"#, ["ap-southeast-1"]),
    (#"\bsydney\b"#, ["ap-southeast-2"]),
    (#"\bmumbai\b"#, ["ap-south-1"]),
    (#"\bs[aã]o paulo\b"#, ["sa-east-1"]),
    (#"\bmontreal\b"#, ["ca-central-1"]),
  ]
  static let unitedStates = ["us-east-1", "us-east-2", "us-west-1", "us-west-2"]
  /// "US" in capitals only, matched on the text as written: "us" is a pronoun.
  static let usInCapitals = NSRegularExpression.builtIn(#"\bUS\b(?!-)|\bUSA\b|\bU\.S\."#)
  static let scopeTable = KeywordTable<[String]>(scopes.map { ($0.regions, $0.pattern) })
  static let code = NSRegularExpression.builtIn(
    #"\b(us|eu|ap|sa|ca|me|af|il|mx)-(north|south|east|west|central|northeast|southeast|northwest|southwest)-\d\b"#)
  /// A place only restricts regions when the sentence is about where things run or live.
  static let residencyCue = NSRegularExpression.builtIn(
    #"(region|only|host|deploy|resid|stay|stays|kept|keep|store|stored|located|locat|run in|runs in|served from|sovereign|inside|within|must be in|in-country|gdpr|data must|cannot leave|can't leave|must not leave|leaves?\b|preferred)"#
  )

  static func regions(_ brief: BriefText) -> Mlops_V1_TextListValue? {
    var found: Set<String> = []
    var first: NSRange?
    var explicitCode = false
    func note(_ range: NSRange) { if first == nil || range.location < first!.location { first = range } }
    for match in brief.matches(code) where !Cues.negated(brief, match.range) && !Cues.distractor(brief, match.range) {
      found.insert(brief.string(match.range).lowercased())
      explicitCode = true
      note(match.range)
    }
    let places =
      scopeTable.hits(in: brief).map { (range: $0.range, regions: $0.value) }
      + brief.matchesAsWritten(usInCapitals).map { (range: $0.range, regions: unitedStates) }
    for place in places {
      let sentence = brief.string(brief.sentence(around: place.range))
      // A sentence that is little more than places ("Milan or Frankfurt.") names regions too.
      let terse = sentence.split(separator: " ").count <= 4
      guard terse || Cues.contains(residencyCue, sentence), !Cues.negated(brief, place.range),
        !Cues.distractor(brief, place.range)
      else { continue }
      // A headquarters or a customer base is not a hosting constraint.
      let before = brief.before(place.range, within: 30)
      if before.contains("headquarter") || before.contains("hq") || before.contains("office")
        || before.contains("customers in") || before.contains("based in") || before.contains("users in")
      {
        continue
      }
      found.formUnion(place.regions)
      note(place.range)
    }
    guard !found.isEmpty, let first else { return nil }
    return .with {
      $0.values = found.sorted()
      $0.provenance = .with {
        $0.kind = .text
        $0.span = brief.span(first)
        $0.confidence = explicitCode ? 0.95 : 0.85
      }
    }
  }
}
