import Contracts
import Critics
import Planner
import Policy

/// A brief taken in process through what the graph runs before the gate: extraction, the
/// plan, both critics and policy. For benchmarks, regression suites and fixtures; the graph
/// itself calls each service over gRPC.
public struct ReviewedPlan: Sendable {
  public var constraints: Mlops_V1_Constraints
  public var plan: Mlops_V1_Plan
  public var review: Mlops_V1_TechnicalReview
  public var cost: Mlops_V1_CostEstimate
  public var policy: Mlops_V1_PolicyReport
  public var reasonCards: [Mlops_V1_ReasonCard]
  public var brief: String = ""

  /// `choices` pins capabilities to options, as a reviewer picking another candidate would.
  public static func make(
    brief: String, reviewNotes: [String] = [], choices: [String: String] = [:]
  ) async throws -> ReviewedPlan {
    let planner = PlannerEngine()
    let extracted = try await planner.extract(.with { $0.brief = brief })
    var constraints = extracted.constraints
    constraints.reviewNotes = reviewNotes.map { note in .with { $0.value = note } }
    let composed = planner.composePlan(.with { $0.constraints = constraints }, choices: choices)
    let plan = composed.plan
    let review = TechnicalCritic().review(plan: plan, constraints: constraints)
    let cost = CostCritic().estimate(plan: plan, constraints: constraints)
    let policy = PolicyEngine().evaluate(
      .with {
        $0.plan = plan
        $0.constraints = constraints
        $0.cost = cost
        $0.technicalReview = review
      })
    var cards = [extracted.reasonCard, composed.reasonCard]
    cards[0].node = "intake_extract"
    cards[1].node = "planner"
    return ReviewedPlan(
      constraints: constraints, plan: plan, review: review, cost: cost, policy: policy, reasonCards: cards, brief: brief)
  }

  /// What Codegen receives for this plan once a reviewer approved it.
  public func generateRequest(projectName: String, version: Int32 = 1, approvalComment: String = "") -> Mlops_V1_GenerateRequest {
    .with {
      $0.projectName = projectName
      $0.version = version
      $0.plan = plan
      $0.constraints = constraints
      $0.cost = cost
      $0.policy = policy
      $0.technicalReview = review
      $0.reasonCards = reasonCards
      $0.brief = brief
      $0.approval = .with {
        $0.status = .approved
        $0.comment = approvalComment
      }
    }
  }
}
