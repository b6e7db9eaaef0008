import SwiftProtobuf

/// The checks every service runs on what it is sent before it computes anything: a plan, a
/// review, a cost estimate, a policy report and Reason Cards may come from any caller, so each
/// is held to the same limits as the API's input.
extension InputLimits {
  public static let components = 32
  public static let decisions = 32
  public static let candidates = 64
  public static let settings = 32
  public static let listItems = 200
  public static let shortText = 512
  public static let longText = 20_000
  public static let costLines = 1_000
  public static let findings = 500
  public static let ruleResults = 1_000
  public static let reasonCards = 200
  public static let money = NumberRange(lower: -1e12, upper: 1e12, includesLower: true, unit: "USD")
  public static let quantity = NumberRange(lower: 0, upper: 1e15, includesLower: true, unit: "")
  public static let score = NumberRange(lower: -1e6, upper: 1e6, includesLower: true, unit: "")
  public static let estimateMilliseconds = NumberRange(lower: 0, upper: 3_600_000, includesLower: true, unit: "ms")
  public static let estimatePercent = NumberRange(lower: 0, upper: 100, includesLower: true, unit: "%")
}

extension ViolationCollector {
  public mutating func plan(_ plan: Mlops_V1_Plan, at path: String = "plan") {
    count("\(path).components", plan.components.count, max: InputLimits.components)
    for (index, component) in plan.components.prefix(InputLimits.components).enumerated() {
      let field = "\(path).components[\(index)]"
      name("\(field).id", component.id)
      name("\(field).option", component.option)
      region("\(field).region", component.region)
      text("\(field).display_name", component.displayName, max: InputLimits.shortText)
      if !Mlops_V1_Capability.allCases.contains(component.capability) { add("\(field).capability", "is not a known capability") }
      count("\(field).settings", component.settings.count, max: InputLimits.settings)
      for (key, value) in component.settings.sorted(by: { $0.key < $1.key }).prefix(InputLimits.settings) {
        name("\(field).settings", key)
        text("\(field).settings.\(String(key.prefix(64)))", value, max: InputLimits.shortText)
      }
    }
    count("\(path).decisions", plan.decisions.count, max: InputLimits.decisions)
    for (index, decision) in plan.decisions.prefix(InputLimits.decisions).enumerated() {
      let field = "\(path).decisions[\(index)]"
      if !Mlops_V1_Capability.allCases.contains(decision.capability) { add("\(field).capability", "is not a known capability") }
      text("\(field).not_needed_reason", decision.notNeededReason, max: InputLimits.shortText)
      name("\(field).chosen_option", decision.chosenOption, allowEmpty: true)
      candidates("\(field).candidates", decision.candidates, catalogOptions: true)
    }
    text("\(path).catalog_version", plan.catalogVersion, max: 64)
    text("\(path).catalog_sha256", plan.catalogSha256, max: 64)
    region("\(path).primary_region", plan.primaryRegion)
    number("\(path).estimated_p95_ms", plan.estimatedP95Ms, InputLimits.estimateMilliseconds)
    number("\(path).estimated_availability_pct", plan.estimatedAvailabilityPct, InputLimits.estimatePercent)
    text("\(path).summary", plan.summary, max: InputLimits.longText)
  }

  public mutating func review(_ review: Mlops_V1_TechnicalReview, at path: String = "technical_review") {
    count("\(path).findings", review.findings.count, max: InputLimits.findings)
    for (index, finding) in review.findings.prefix(InputLimits.findings).enumerated() {
      let field = "\(path).findings[\(index)]"
      text("\(field).id", finding.id, max: 128)
      if !Mlops_V1_Severity.allCases.contains(finding.severity) { add("\(field).severity", "is not a known severity") }
      if !Mlops_V1_FindingCategory.allCases.contains(finding.category) { add("\(field).category", "is not a known category") }
      texts("\(field).components", finding.components, max: 64)
      text("\(field).message", finding.message, max: InputLimits.longText)
      text("\(field).recommendation", finding.recommendation, max: InputLimits.longText)
    }
    text("\(path).summary", review.summary, max: InputLimits.longText)
  }

  public mutating func cost(_ cost: Mlops_V1_CostEstimate, at path: String = "cost") {
    number("\(path).monthly_usd", cost.monthlyUsd, InputLimits.money)
    count("\(path).breakdown", cost.breakdown.count, max: InputLimits.costLines)
    for (index, line) in cost.breakdown.prefix(InputLimits.costLines).enumerated() {
      let field = "\(path).breakdown[\(index)]"
      text("\(field).component", line.component, max: 64)
      text("\(field).item", line.item, max: InputLimits.shortText)
      number("\(field).quantity", line.quantity, InputLimits.quantity)
      text("\(field).unit", line.unit, max: InputLimits.shortText)
      number("\(field).unit_price_usd", line.unitPriceUsd, InputLimits.money)
      number("\(field).monthly_usd", line.monthlyUsd, InputLimits.money)
      text("\(field).assumption", line.assumption, max: InputLimits.longText)
      text("\(field).price_source", line.priceSource, max: InputLimits.shortText)
    }
    text("\(path).method", cost.method, max: 64)
    texts("\(path).assumptions", cost.assumptions, max: InputLimits.longText)
    number("\(path).delta.previous_monthly_usd", cost.delta.previousMonthlyUsd, InputLimits.money)
    number("\(path).delta.delta_usd", cost.delta.deltaUsd, InputLimits.money)
    count("\(path).delta.lines", cost.delta.lines.count, max: InputLimits.costLines)
    for (index, line) in cost.delta.lines.prefix(InputLimits.costLines).enumerated() {
      let field = "\(path).delta.lines[\(index)]"
      text("\(field).component", line.component, max: 64)
      text("\(field).item", line.item, max: InputLimits.shortText)
      number("\(field).before_usd", line.beforeUsd, InputLimits.money)
      number("\(field).after_usd", line.afterUsd, InputLimits.money)
    }
    text("\(path).price_catalog_version", cost.priceCatalogVersion, max: 64)
  }

  public mutating func policy(_ report: Mlops_V1_PolicyReport, at path: String = "policy") {
    count("\(path).results", report.results.count, max: InputLimits.ruleResults)
    for (index, result) in report.results.prefix(InputLimits.ruleResults).enumerated() {
      let field = "\(path).results[\(index)]"
      text("\(field).rule_id", result.ruleID, max: 128)
      text("\(field).description", result.description_p, max: InputLimits.longText)
      text("\(field).message", result.message, max: InputLimits.longText)
      text("\(field).remedy", result.remedy, max: InputLimits.longText)
      texts("\(field).evidence", result.evidence, max: InputLimits.longText)
      if !Mlops_V1_RuleOutcome.allCases.contains(result.outcome) { add("\(field).outcome", "is not a known outcome") }
      if result.hasWaiver { waiver(result.waiver, at: "\(field).waiver") }
    }
    if !Mlops_V1_RuleOutcome.allCases.contains(report.overall) { add("\(path).overall", "is not a known outcome") }
    text("\(path).summary", report.summary, max: InputLimits.longText)
    texts("\(path).packs", report.packs, max: InputLimits.shortText)
  }

  public mutating func waivers(_ waivers: [Mlops_V1_PolicyWaiver], at path: String = "waivers") {
    count(path, waivers.count, max: InputLimits.policyWaivers)
    for (index, waiver) in waivers.prefix(InputLimits.policyWaivers).enumerated() {
      self.waiver(waiver, at: "\(path)[\(index)]")
    }
  }

  mutating func waiver(_ waiver: Mlops_V1_PolicyWaiver, at field: String) {
    text("\(field).id", waiver.id, max: 64)
    text("\(field).rule_id", waiver.ruleID, max: 128)
    text("\(field).reason", waiver.reason, max: InputLimits.waiverReasonCharacters)
    text("\(field).waived_by", waiver.waivedBy, max: InputLimits.shortText)
    instant("\(field).waived_at", waiver.waivedAt, allowEmpty: true)
    instant("\(field).expires_at", waiver.expiresAt, allowEmpty: false)
  }

  /// An RFC 3339 instant ("2026-12-03T10:00:00Z").
  public mutating func instant(_ field: String, _ value: String, allowEmpty: Bool) {
    if value.isEmpty && allowEmpty { return }
    if RFC3339.date(value) == nil { add(field, "must be an RFC 3339 date and time, not \(value.prefix(64).debugDescription)") }
  }

  public mutating func reasonCards(_ cards: [Mlops_V1_ReasonCard], at path: String = "reason_cards") {
    count(path, cards.count, max: InputLimits.reasonCards)
    for (index, card) in cards.prefix(InputLimits.reasonCards).enumerated() {
      let field = "\(path)[\(index)]"
      name("\(field).agent", card.agent)
      name("\(field).node", card.node)
      text("\(field).inputs.summary", card.inputs.summary, max: InputLimits.longText)
      text("\(field).inputs.sha256", card.inputs.sha256, max: 64)
      candidates("\(field).candidates", card.candidates, catalogOptions: false)
      for (name, value) in [
        ("choice", card.choice), ("rationale", card.rationale), ("policy_summary", card.policySummary),
        ("cost_summary", card.costSummary),
      ] {
        text("\(field).\(name)", value, max: InputLimits.longText)
      }
      number("\(field).confidence", card.confidence, InputLimits.confidence)
      texts("\(field).risks", card.risks, max: InputLimits.longText)
      texts("\(field).quoted_comments", card.quotedComments, max: InputLimits.reviewNoteCharacters)
      count("\(field).links", card.links.count, max: InputLimits.listItems)
      for (linkIndex, link) in card.links.prefix(InputLimits.listItems).enumerated() {
        text("\(field).links[\(linkIndex)].rel", link.rel, max: 64)
        text("\(field).links[\(linkIndex)].href", link.href, max: 2_048)
      }
      for (name, value) in [
        ("name", card.provider.name), ("model", card.provider.model), ("pack_sha256", card.provider.packSha256),
        ("fallback_reason", card.provider.fallbackReason),
      ] {
        text("\(field).provider.\(name)", value, max: InputLimits.shortText)
      }
    }
  }

  public mutating func approval(_ approval: Mlops_V1_Approval, at path: String = "approval") {
    if !Mlops_V1_ApprovalStatus.allCases.contains(approval.status) { add("\(path).status", "is not a known status") }
    text("\(path).reviewer", approval.reviewer, max: InputLimits.shortText)
    text("\(path).comment", approval.comment, max: InputLimits.commentCharacters)
    count("\(path).inline_comments", approval.inlineComments.count, max: InputLimits.inlineComments)
    for (index, comment) in approval.inlineComments.prefix(InputLimits.inlineComments).enumerated() {
      text("\(path).inline_comments[\(index)].path", comment.path, max: InputLimits.inlineCommentPathCharacters)
      text("\(path).inline_comments[\(index)].text", comment.text, max: InputLimits.commentCharacters)
    }
  }

  /// A plan's candidates are catalog options (names); a Reason Card's may be any short text
  /// ("latency_p95_ms = 80 ms").
  mutating func candidates(_ field: String, _ candidates: [Mlops_V1_Candidate], catalogOptions: Bool) {
    count(field, candidates.count, max: InputLimits.candidates)
    for (index, candidate) in candidates.prefix(InputLimits.candidates).enumerated() {
      if catalogOptions {
        name("\(field)[\(index)].option", candidate.option)
      } else {
        text("\(field)[\(index)].option", candidate.option, max: InputLimits.shortText)
      }
      number("\(field)[\(index)].score", candidate.score, InputLimits.score)
      texts("\(field)[\(index)].reasons", candidate.reasons, max: InputLimits.shortText)
    }
  }

  mutating func texts(_ field: String, _ values: [String], max: Int) {
    count(field, values.count, max: InputLimits.listItems)
    for (index, value) in values.prefix(InputLimits.listItems).enumerated() { text("\(field)[\(index)]", value, max: max) }
  }
}
