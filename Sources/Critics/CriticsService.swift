import Contracts
import Domain
import GRPCCore
import ServiceKit

/// The Critics' gRPC face: the technical critic and the cost critic, each answering with
/// its Reason Card.
public struct CriticsService: Mlops_V1_Critics.SimpleServiceProtocol, NamedService {
  public static let serviceName = Mlops_V1_Critics.descriptor.fullyQualifiedService

  let technical: TechnicalCritic
  let cost: CostCritic

  public init(technical: TechnicalCritic = TechnicalCritic(), cost: CostCritic = CostCritic()) {
    self.technical = technical
    self.cost = cost
  }

  public func reviewTechnical(
    request: Mlops_V1_ReviewTechnicalRequest,
    context: ServerContext
  ) async throws -> Mlops_V1_ReviewTechnicalResponse {
    try request.requireValid()
    let review = technical.review(plan: request.plan, constraints: request.constraints)
    var card = ReasonCards.card(
      agent: "critic_tech", node: "critic_tech", inputs: "plan of \(request.plan.components.count) components", of: request)
    card.candidates = review.findings.map { finding in
      .with {
        $0.option = finding.id
        $0.score = finding.severity == .critical ? 1 : finding.severity == .warning ? 0.5 : 0.1
        $0.reasons = [finding.message, "recommendation: \(finding.recommendation)"]
        $0.chosen = true
      }
    }
    card.choice = review.summary
    card.rationale =
      review.findings.isEmpty
      ? "Latency, throughput, availability, coupling, GPU and data-exposure checks found nothing to flag."
      : review.findings.map { "\($0.id): \($0.message)" }.joined(separator: "\n")
    card.risks = review.findings.filter { $0.severity == .critical }.map(\.message)
    card.confidence = 0.9
    return .with {
      $0.review = review
      $0.reasonCard = card
    }
  }

  public func estimateCost(
    request: Mlops_V1_EstimateCostRequest,
    context: ServerContext
  ) async throws -> Mlops_V1_EstimateCostResponse {
    try request.requireValid()
    let estimate = cost.estimate(
      plan: request.plan, constraints: request.constraints, previous: request.hasPrevious ? request.previous : nil)
    var card = ReasonCards.card(
      agent: "critic_cost", node: "critic_cost",
      inputs: "plan of \(request.plan.components.count) components" + (request.hasPrevious ? ", previous estimate" : ""),
      of: request)
    let byComponent = Dictionary(grouping: estimate.breakdown, by: \.component).mapValues { $0.reduce(0) { $0 + $1.monthlyUsd } }
    card.candidates = byComponent.sorted { $0.value > $1.value }.map { component, total in
      .with {
        $0.option = component
        $0.score = ReasonCards.rounded(estimate.monthlyUsd > 0 ? total / estimate.monthlyUsd : 0)
        $0.reasons = ["$\(String(format: "%.2f", total)) a month"]
        $0.chosen = true
      }
    }
    card.choice = String(format: "$%.2f a month (%@)", estimate.monthlyUsd, estimate.method)
    card.costSummary = card.choice
    if estimate.delta.hasPrevious_p {
      card.costSummary += String(
        format: ", %@$%.2f vs the previous version", estimate.delta.deltaUsd >= 0 ? "+" : "−", abs(estimate.delta.deltaUsd))
    }
    card.rationale =
      "Priced \(estimate.breakdown.count) BOM lines from catalog \(estimate.priceCatalogVersion); the largest: "
      + estimate.breakdown.sorted { $0.monthlyUsd > $1.monthlyUsd }.prefix(3).map {
        "\($0.component) \($0.item) $\(String(format: "%.2f", $0.monthlyUsd)) (\($0.assumption))"
      }.joined(separator: "; ")
    card.risks = estimate.assumptions
    if request.constraints.hasMonthlyBudget, request.constraints.monthlyBudget.maxUsd > 0,
      estimate.monthlyUsd > request.constraints.monthlyBudget.maxUsd
    {
      card.risks.append(
        String(format: "the estimate is above the $%.0f monthly ceiling", request.constraints.monthlyBudget.maxUsd))
    }
    card.confidence = 0.7
    return .with {
      $0.estimate = estimate
      $0.reasonCard = card
    }
  }
}
