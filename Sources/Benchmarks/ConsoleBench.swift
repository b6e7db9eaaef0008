import ArgumentParser
import Assembly
import Contracts
import EdgeAPI
import EdgeRuntime
import Foundation
import InProcessPipeline
import ServiceKit

/// How long the console takes to render a decision set page: a reviewed plan (real planner,
/// critics and policy, in process) waiting for approval, with `cards` Reason Cards on its
/// timeline. Measured from the state read to the finished HTML, the database reads left out.
struct ConsoleBench: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "console", abstract: "p50/p95/p99 render time of a console decision set page with 50 Reason Cards.")

  @Option(help: "Pages rendered.") var rounds = 500
  @Option(help: "Reason Cards on the page.") var cards = 50

  func run() async throws {
    guard rounds > 0, cards > 0 else { throw ValidationError("--rounds and --cards must be positive") }
    let renderer = try ConsoleRenderer.bundled()
    let reviewed = try await ReviewedPlan.make(brief: PlannerBench.briefs[0])
    var state = Mlops_V1_DecisionState()
    state.brief = reviewed.brief
    state.constraints = reviewed.constraints
    state.plan = reviewed.plan
    state.technicalReview = reviewed.review
    state.cost = reviewed.cost
    state.policy = reviewed.policy
    state.reasonCards = (0..<cards).map { reviewed.reasonCards[$0 % reviewed.reasonCards.count] }
    let view = ConsolePages.DecisionSetView(
      id: UUID(), projectID: UUID(), projectName: "bench", version: 1, lockVersion: 3, status: "waiting_for_approval",
      role: .admin, lastEventID: 120)
    let frozen = state
    var bytes = 0
    let samples = try await timedRounds(rounds) { _ in
      let (page, values) = await timed {
        var page = ConsolePages.decisionSet(view, state: frozen, artifacts: [])
        page["title"] = "Decision set"
        page["user"] = "Bench (bench)"
        page["csrf"] = "csrf"
        return page
      }
      let (html, template) = try await timed { try renderer.render("decision_set", page) }
      bytes = html.utf8.count
      return [("render", values + template), ("values", values), ("template", template)]
    }
    let render = Percentiles(samples["render"] ?? [])
    let values = Percentiles(samples["values"] ?? [])
    let template = Percentiles(samples["template"] ?? [])
    Console.line(
      "console: a decision set page waiting for approval, \(cards) Reason Cards, \(bytes) bytes of HTML, \(rounds) renders")
    printTable(
      ["page", "p50 ms", "p95 ms", "p99 ms"],
      [
        ["decision set (all)", formatted(render.value(50), 3), formatted(render.value(95), 3), formatted(render.value(99), 3)],
        ["  its values", formatted(values.value(50), 3), formatted(values.value(95), 3), formatted(values.value(99), 3)],
        ["  the template", formatted(template.value(50), 3), formatted(template.value(95), 3), formatted(template.value(99), 3)],
      ])
    Console.line(
      jsonLine([
        "benchmark": "console", "cards": cards, "rounds": rounds, "html_bytes": bytes,
        "render_p50_ms": (render.value(50) * 1000).rounded() / 1000, "render_p95_ms": (render.value(95) * 1000).rounded() / 1000,
        "render_p99_ms": (render.value(99) * 1000).rounded() / 1000,
      ]))
  }
}
