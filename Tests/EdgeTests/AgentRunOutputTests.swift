import Contracts
import EdgeAPI
import EdgeRuntime
import Foundation
import NIOCore
import PostgresNIO
import TestSupport
import Testing

/// A step's `agent_runs.output` keeps its events and the cards it wrote; its state is its
/// checkpoint's. Rows written when the output held the whole state still read.
@Suite struct AgentRunOutputTests {
  typealias Harness = GraphEngineTests.Harness

  @Test func eachCardIsFoundWithTheStepThatWroteIt() async throws {
    try await TestDatabase.withFreshDatabase { client, _ in
      let harness = try await Harness(client: client)
      let thread = harness.threads[0]
      try await harness.start(thread)
      #expect(try await harness.runNextJob() == .waiting(.approval))
      let last = try #require(try await harness.engine.checkpointer.latest(threadID: thread))
      let lookup = AgentRunLookup(client: client, logger: TestDatabase.logger)
      for (index, card) in last.state.reasonCards.enumerated() {
        let run = try #require(try await lookup.writer(ofCard: index, threadID: thread, version: 1))
        #expect(run.node == card.node)
        #expect(run.card(index) == card)
      }
      // No step's output holds its state again.
      #expect(try await Fixtures.count("SELECT count(*) FROM agent_runs", on: client) == 7)
      #expect(
        try await Fixtures.count(
          "SELECT count(*) FROM agent_runs WHERE convert_from(output, 'UTF8')::jsonb ? 'state'", on: client) == 0)
    }
  }

  @Test func anOutputThatHeldTheWholeStateStillReads() async throws {
    try await TestDatabase.withFreshDatabase { client, _ in
      let harness = try await Harness(client: client)
      let (thread, root, first) = try await harness.startAndStepOnce()
      // The row as it was written before: {"state": <the state after the step>, "events": [...]}.
      let old = try JSONSerialization.data(withJSONObject: [
        "state": Data(first.encodedState).base64EncodedString(), "events": [] as [Any],
      ])
      try await client.query(
        "UPDATE agent_runs SET output = \(ByteBuffer(bytes: old)) WHERE checkpoint_id = \(first.id)",
        logger: TestDatabase.logger)

      let run = try #require(
        try await AgentRunLookup(client: client, logger: TestDatabase.logger).writer(ofCard: 0, threadID: thread, version: 1))
      #expect(run.card(0) == first.state.reasonCards[0])
      let again = try await harness.engine.step(.intakeExtract, from: root, job: nil)
      #expect(again.id == first.id)
      #expect(harness.book.called(.intakeExtract) == 1, "the old row's output was reused")
    }
  }
}
