import Contracts
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// Reads `agent_runs` (written by the step commit) to answer "which step, provider call and
/// trace wrote this Reason Card?".
package struct AgentRunLookup: Sendable {
  /// One step's record: who ran it, the provider call behind it, and the trace it ran in.
  package struct Record: Sendable {
    package var node: String
    package var agent: String
    package var provider: String?
    package var model: String?
    package var inputTokens: Int64?
    package var outputTokens: Int64?
    package var latencyMilliseconds: Int?
    package var traceID: String?
    package var checkpointID: UUID?
    package var createdAt: Date
    /// The Reason Cards the step wrote, as it wrote them; the first is card `firstCard` of its version.
    package var cards: [Mlops_V1_ReasonCard]
    package var firstCard: Int

    /// Card `index` of the version, when this step wrote it.
    package func card(_ index: Int) -> Mlops_V1_ReasonCard? {
      cards.indices.contains(index - firstCard) ? cards[index - firstCard] : nil
    }
  }

  let client: PostgresClient
  let logger: Logger

  package init(client: PostgresClient, logger: Logger) {
    self.client = client
    self.logger = logger
  }

  /// The latest step of `version` that wrote card `index` (a retried branch's step wins).
  package func writer(ofCard index: Int, threadID: UUID, version: Int) async throws -> Record? {
    let rows = try await client.guardedQuery(
      """
      SELECT node, agent, provider, model, input_tokens, output_tokens, latency_ms, trace_id, checkpoint_id,
             created_at, first_card, output
      FROM agent_runs
      WHERE thread_id = \(threadID) AND version = \(version) AND card_count > 0
        AND first_card <= \(index) AND \(index) < first_card + card_count
      ORDER BY id DESC LIMIT 1
      """, logger: logger)
    for try await row in rows.decode(
      (String, String, String?, String?, Int64?, Int64?, Int?, String?, UUID?, Date, Int?, ByteBuffer).self)
    {
      let written = try StoredStepOutput.decode(row.11).reasonCards(firstCard: row.10 ?? 0)
      return Record(
        node: row.0, agent: row.1, provider: row.2, model: row.3, inputTokens: row.4, outputTokens: row.5,
        latencyMilliseconds: row.6, traceID: row.7, checkpointID: row.8, createdAt: row.9, cards: written.cards,
        firstCard: written.first)
    }
    return nil
  }
}
