import Contracts
import Domain
import Foundation
import Logging
import Providers
import ServiceKit

/// The planner's three steps as plain functions of protobuf messages, each answering with
/// its Reason Card. The gRPC service is a thin adapter over this.
public struct PlannerEngine: Sendable {
  let provider: any OrchestrationProvider
  let scorer: CoverageScorer
  let composer: PlanComposer
  let logger: Logger

  public init(
    provider: any OrchestrationProvider = DeterministicProvider(), coverage: CoverageScorer.Settings = .init(),
    catalog: CapabilityCatalog = .bundled, logger: Logger = Logger(label: "planner")
  ) {
    self.provider = provider
    scorer = CoverageScorer(settings: coverage)
    composer = PlanComposer(catalog: catalog)
    self.logger = logger
  }

  /// The few-shot packs shipped with the planner.
  public static func bundledPacks() throws -> FewShotPackRegistry {
    guard let folder = Bundle.module.url(forResource: "packs", withExtension: nil) else { return FewShotPackRegistry() }
    return try FewShotPackRegistry.load(folder: folder)
  }

  public func extract(_ request: Mlops_V1_ExtractConstraintsRequest) async throws -> Mlops_V1_ExtractConstraintsResponse {
    let started = ContinuousClock.now
    let answer = try await provider.answer(ExtractConstraintsTask(brief: request.brief))
    // Model calls log their tokens themselves; this line names who answered, every time.
    logger.debug(
      "extract_constraints answered",
      metadata: [
        "provider": "\(answer.provider.name)", "model": "\(answer.provider.model)",
        "latency_ms": "\(Int(saturating: (ContinuousClock.now - started).milliseconds))",
        "fallback": "\(answer.fallbackReason.isEmpty ? "no" : "yes")",
      ])
    let bounded = ExtractionLimits.bounded(answer.output)
    let constraints = IntakeExtractor.applying(request.overrides, to: bounded.constraints)
    let fields = ExtractionSummary.fields(constraints)
    var card = ReasonCards.card(
      node: "intake_extract",
      inputs: "brief of \(request.brief.count) characters"
        + (request.hasOverrides ? ", with explicit overrides" : ""),
      of: request)
    card.provider = answer.providerUse
    card.candidates = fields.map { field in
      .with {
        $0.option = "\(field.name) = \(field.value)"
        $0.score = ReasonCards.rounded(field.confidence)
        $0.reasons = [field.source]
        $0.chosen = true
      }
    }
    card.choice = "\(fields.count) of \(ExtractionSummary.fieldCount) fields stated"
    card.rationale =
      fields.isEmpty
      ? "The brief states none of the constraints the planner reads; nothing was assumed."
      : "Read from the brief: " + fields.map { "\($0.name) \($0.value) (\($0.source))" }.joined(separator: "; ") + "."
    card.confidence = fields.isEmpty ? 0 : ReasonCards.rounded(fields.map(\.confidence).reduce(0, +) / Double(fields.count))
    card.risks = fields.filter { $0.confidence < scorer.settings.lowConfidence }.map {
      "\($0.name) is uncertain (confidence \(String(format: "%.2f", $0.confidence)))"
    }
    card.risks += bounded.dropped
    if !answer.fallbackReason.isEmpty { card.risks.append("the rules answered because \(answer.fallbackReason)") }
    return .with {
      $0.constraints = constraints
      $0.reasonCard = card
    }
  }

  public func checkCoverage(_ request: Mlops_V1_CheckCoverageRequest) -> Mlops_V1_CheckCoverageResponse {
    let merged = AnswerMerger.merge(request.answers, asked: request.asked, into: request.constraints)
    let report = scorer.report(merged.constraints, round: Int(request.round))
    let questions = scorer.questions(for: report, constraints: merged.constraints)
    var card = ReasonCards.card(
      node: "coverage_check",
      inputs: "\(request.answers.count) answer(s) to \(request.asked.count) question(s), round \(request.round)", of: request)
    card.candidates = questions.map { question in
      .with {
        $0.option = question.id
        $0.score = question.impact
        $0.reasons = [question.why]
        $0.chosen = true
      }
    }
    let percent = Int(saturating: (report.score * 100).rounded())
    let threshold = Int(saturating: (report.threshold * 100).rounded())
    if report.sufficient {
      card.choice = "coverage sufficient"
      card.rationale =
        "Coverage \(percent)% against a \(threshold)% threshold"
        + (report.missing.isEmpty
          ? "; every required field is known."
          : "; going on after \(request.round) rounds without \(report.missing.joined(separator: ", ")).")
    } else {
      card.choice = "ask \(questions.count) question\(questions.count == 1 ? "" : "s")"
      card.rationale =
        "Coverage \(percent)% against a \(threshold)% threshold; missing or uncertain: \(report.missing.joined(separator: ", ")). "
        + "Asking only for those, the ones that change the plan most first."
    }
    card.confidence = report.score
    card.risks = merged.problems.map { "answer not used: \($0)" }
    if report.sufficient, !report.missing.isEmpty {
      card.risks.append("planning without \(report.missing.joined(separator: ", ")); defaults will be stated in the plan")
    }
    return .with {
      $0.constraints = merged.constraints
      $0.coverage = report
      $0.questions = questions
      $0.reasonCard = card
    }
  }

  /// `choices`: capability → option pins a reviewer made (see `PlanComposer.compose`).
  public func composePlan(
    _ request: Mlops_V1_ComposePlanRequest, choices: [String: String] = [:]
  ) -> Mlops_V1_ComposePlanResponse {
    let result = composer.compose(request.constraints, choices: request.choices.merging(choices) { _, pinned in pinned })
    var card = ReasonCards.card(
      node: "planner",
      inputs:
        "constraints with \(ExtractionSummary.fields(request.constraints).count) fields set; catalog \(result.plan.catalogVersion)",
      of: request)
    card.candidates = result.plan.decisions.flatMap { decision in
      decision.candidates.map { candidate in
        var named = candidate
        named.option = "\(CapabilityNames.name(decision.capability))/\(candidate.option)"
        return named
      }
    }
    card.choice = result.plan.summary
    card.rationale = result.plan.decisions.map { decision in
      let capability = CapabilityNames.name(decision.capability)
      guard decision.needed else { return "\(capability): not needed, \(decision.notNeededReason)" }
      guard let chosen = decision.candidates.first(where: \.chosen) else { return "\(capability): no option fits" }
      return
        "\(capability): \(chosen.option) (\(String(format: "%.2f", chosen.score))) — \(chosen.reasons.prefix(3).joined(separator: ", "))"
    }.joined(separator: "\n")
    let scores = result.plan.decisions.compactMap { $0.candidates.first(where: \.chosen)?.score }
    card.confidence = scores.isEmpty ? 0 : ReasonCards.rounded(scores.reduce(0, +) / Double(scores.count))
    card.risks = result.risks
    card.links = [
      .with {
        $0.rel = "catalog"; $0.href = "catalog:\(result.plan.catalogVersion)@sha256:\(result.plan.catalogSha256)"
      }
    ]
    let questions = Self.relaxQuestions(result.unfilled)
    if !questions.isEmpty {
      card.choice = "ask to relax \(questions.map(\.field).joined(separator: ", ")) before planning further"
      card.rationale +=
        "\nThe plan is not handed to the critics with a capability missing: "
        + questions.map(\.why).joined(separator: " ")
    }
    return .with {
      $0.plan = result.plan
      $0.reasonCard = card
      $0.questions = questions
    }
  }

  /// One question per constraint that rules out every option of a needed capability,
  /// asking the person to relax it.
  public static func relaxQuestions(_ unfilled: [PlanComposer.Unfilled]) -> [Mlops_V1_Question] {
    var capabilitiesByField: [String: [String]] = [:]
    for gap in unfilled {
      for field in gap.fields { capabilitiesByField[field, default: []].append(gap.capability) }
    }
    return capabilitiesByField.keys.sorted().compactMap { field in
      guard var question = QuestionBank.question(for: field, impact: 1) else { return nil }
      let named = capabilitiesByField[field, default: []]
      let capabilities =
        named.count > 1 ? named.dropLast().joined(separator: ", ") + " or " + named[named.count - 1] : named.joined()
      question.id = "relax_\(field)"
      question.why =
        "No \(capabilities) option fits the constraints, and \(field) is what keeps most of them out (see the excluded "
        + "candidates). Relax it, or the plan cannot be completed."
      return question
    }
  }
}

enum CapabilityNames {
  static func name(_ capability: Mlops_V1_Capability) -> String {
    ProtoNames.capability.first { $0.value == capability }?.key ?? "unknown"
  }
}
