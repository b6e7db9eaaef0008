import Contracts

/// Scores how much of what the planner needs is known, and picks the fewest questions that
/// would close the gap: missing required fields, and any field whose value was read without
/// certainty (asked, not guessed), by how much they change the plan, at most a few per round.
public struct CoverageScorer: Sendable {
  public struct Settings: Sendable {
    public var threshold: Double
    public var lowConfidence: Double
    public var questionsPerRound: Int
    /// After this many rounds the planner goes on with what it has, naming the gaps as risks.
    public var maxRounds: Int

    public init(threshold: Double = 0.75, lowConfidence: Double = 0.6, questionsPerRound: Int = 3, maxRounds: Int = 3) {
      self.threshold = threshold
      self.lowConfidence = lowConfidence
      self.questionsPerRound = questionsPerRound
      self.maxRounds = maxRounds
    }
  }

  public let settings: Settings

  public init(settings: Settings = Settings()) {
    self.settings = settings
  }

  public func report(_ constraints: Mlops_V1_Constraints, round: Int) -> Mlops_V1_CoverageReport {
    var report = Mlops_V1_CoverageReport()
    var weighted = 0.0
    var total = 0.0
    var blocking = false
    for rule in CoverageRules.all {
      let provenance = rule.provenance(constraints)
      let present = provenance != nil
      let confidence = provenance?.confidence ?? 0
      let required = rule.isRequired(constraints)
      let unsure = present && confidence < settings.lowConfidence
      report.fields.append(
        .with {
          $0.field = rule.field
          $0.weight = rule.weight
          $0.required = required
          $0.present = present
          $0.confidence = present ? confidence : 0
        })
      // A required field is asked when unknown or unsure; any other field when unsure and askable.
      if required ? !present || unsure : unsure && QuestionBank.asks(rule.field) {
        report.missing.append(rule.field)
        blocking = true
      }
      guard required else { continue }
      total += rule.weight
      if present { weighted += rule.weight * confidence }
    }
    report.score = total > 0 ? (weighted / total * 1000).rounded() / 1000 : 1
    report.threshold = settings.threshold
    report.round = Int32(round)
    report.sufficient = (report.score >= settings.threshold && !blocking) || round >= settings.maxRounds
    return report
  }

  /// The questions for this round: empty when coverage is sufficient. A value that was read
  /// but not surely is quoted back, so the person sees what the brief was taken to say.
  public func questions(for report: Mlops_V1_CoverageReport, constraints: Mlops_V1_Constraints) -> [Mlops_V1_Question] {
    guard !report.sufficient else { return [] }
    let missing = Set(report.missing)
    return CoverageRules.all.filter { missing.contains($0.field) }
      .sorted { $0.impact > $1.impact }
      .prefix(settings.questionsPerRound)
      .compactMap { rule in
        guard var question = QuestionBank.question(for: rule.field, impact: rule.impact) else { return nil }
        if let provenance = rule.provenance(constraints), provenance.kind == .text, !provenance.span.text.isEmpty {
          question.why =
            "The brief says “\(QuestionBank.quote(provenance.span.text))”, which I could not read with certainty. " + question.why
        }
        return question
      }
  }
}
