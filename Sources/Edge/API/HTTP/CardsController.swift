import EdgeRuntime
import Foundation
import Hummingbird
import ServiceKit

/// `GET /v1/decision-sets/{id}/cards/{n}`: one Reason Card and its cause: the step (agent
/// run) that wrote it, the provider call behind that step (provider, model, tokens, attempts)
/// and the trace it ran in. `?version=` picks the version (default: the current one).
package struct CardsController<Context: IdentifiedRequestContext>: Sendable {
  let store: DecisionSetStore
  let access: ProjectAccess
  let agentRuns: AgentRunLookup

  package init(store: DecisionSetStore, access: ProjectAccess, agentRuns: AgentRunLookup) {
    self.store = store
    self.access = access
    self.agentRuns = agentRuns
  }

  package func addRoutes(to v1: RouterGroup<Context>) {
    v1.get("decision-sets/:id/cards/:n", use: card)
  }

  @Sendable func card(_ request: Request, context: Context) async throws -> Response {
    let id = try DecisionSetRoute.id(context)
    try await access.decisionSet(id, try context.authenticated(), needs: .viewer)
    let text = context.parameters.get("n") ?? ""
    guard let index = Int(text), (0...100_000).contains(index) else {
      throw Problem.notFound("card_not_found", "a card is named by its index from 0, not \(text.debugDescription)")
    }
    guard let found = try await store.get(id) else { throw DecisionSetRoute.notFound(id) }
    let version = try VersionsController<Context>.version(request, "version", minimum: 1) ?? found.row.version
    let notFound = Problem.notFound(
      "card_not_found", "version \(version) of this decision set has no Reason Card \(index)")

    var body: [String: Any] = [
      "decision_set_id": id.lowercaseString, "version": version, "index": index,
    ]
    if let run = try await agentRuns.writer(ofCard: index, threadID: id, version: version), let card = run.card(index) {
      body["card"] = try ProtoJSON.object(card)
      body["trace_id"] = run.traceID ?? NSNull()
      body["agent_run"] =
        [
          "node": run.node, "agent": run.agent, "latency_ms": run.latencyMilliseconds ?? NSNull(),
          "checkpoint_id": run.checkpointID?.lowercaseString ?? NSNull(),
          "created_at": run.createdAt.formatted(.iso8601), "trace_id": run.traceID ?? NSNull(),
          "provider_call": run.provider.map { provider -> [String: Any] in
            [
              "provider": provider, "model": run.model ?? "", "input_tokens": run.inputTokens ?? 0,
              "output_tokens": run.outputTokens ?? 0, "attempts": Int(card.provider.attempts),
              "fallback_reason": card.provider.fallbackReason,
            ]
          } ?? NSNull(),
        ] as [String: Any]
    } else if version == found.row.version, let state = found.state, index < state.reasonCards.count {
      // Written before steps recorded their cards: the card, without its cause.
      body["card"] = try ProtoJSON.object(state.reasonCards[index])
      body["trace_id"] = NSNull()
      body["agent_run"] = NSNull()
    } else {
      throw notFound
    }
    return try JSONResponse.make(object: body, status: .ok)
  }
}
