import Contracts
import Foundation
import PostgresNIO
import Synchronization

/// One step of the graph. Nodes reach the gRPC services through their clients; they never
/// touch the database except through `NodeContext.effects`, which commit with the step.
package protocol GraphNode: Sendable {
  var name: NodeName { get }
  /// Who answers for this step in Reason Cards and `agent_runs` ("planner", "critic_tech", ...).
  var agent: String { get }
  /// Returns the state after this step. Emit events through `context.events`.
  func run(state: Mlops_V1_DecisionState, context: NodeContext) async throws -> Mlops_V1_DecisionState
  /// Whether the engine may start this node while the step before it is still committing
  /// (`RunAhead`); by default, as its step allows (`NodeName.mayRunAhead`).
  var runsAhead: Bool { get }
}

extension GraphNode {
  package var runsAhead: Bool { name.mayRunAhead }
}

/// What a node gets besides the state.
package struct NodeContext: Sendable {
  package let threadID: UUID
  package let projectID: UUID
  package let parentCheckpointID: UUID
  package let attempt: Int
  package let events: StreamWriter
  package let effects: StepEffects
}

/// Collects the events a step emits; the engine writes them in the step's transaction, so
/// they appear exactly when the step's checkpoint does.
package final class StreamWriter: Sendable {
  private let buffer = Mutex<[StepEvent]>([])

  package init() {}

  package func emit(_ type: EventType, payload: String) {
    buffer.withLock { $0.append(StepEvent(type: type, payload: payload)) }
  }

  var events: [StepEvent] { buffer.withLock { $0 } }
}

/// Database writes a node needs done exactly once: they run inside the step's transaction,
/// after its checkpoint, and are skipped when the step turns out to be committed already.
package final class StepEffects: Sendable {
  package typealias Effect = @Sendable (PostgresConnection) async throws -> Void
  private let effects = Mutex<[Effect]>([])

  package init() {}

  package func add(_ effect: @escaping Effect) {
    effects.withLock { $0.append(effect) }
  }

  var all: [Effect] { effects.withLock { $0 } }
}

/// The event types of DESIGN.md, "Events and SSE".
package enum EventType: String, Sendable, Codable, CaseIterable {
  case reasonCard = "reason-card"
  case policyUpdate = "policy-update"
  case costUpdate = "cost-update"
  case diffUpdate = "diff-update"
  case gateWaiting = "gate-waiting"
  case runError = "run-error"
  case runComplete = "run-complete"
  /// A budget of the project reached 80% (or was spent); once per run, budget and period.
  case budgetWarning = "budget-warning"

  /// The events after which a run writes no more: a stream that sees one closes.
  package static let terminal: Set<EventType> = [.runComplete, .runError]
}

package struct StepEvent: Sendable, Equatable, Codable {
  package var type: EventType
  /// A JSON document.
  package var payload: String
}
