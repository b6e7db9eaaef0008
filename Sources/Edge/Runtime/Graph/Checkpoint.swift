import Contracts
import Foundation

/// The graph's state after a node (or an input) on one thread, and where the run goes next.
package struct Checkpoint: Sendable, Equatable {
  package var id: UUID
  package var threadID: UUID
  package var projectID: UUID
  package var parentID: UUID?
  package var version: Int
  /// The node that produced this state, or `start` / `resume` for inputs from people.
  package var node: String
  /// What runs next; nil when the run waits at an interrupt or has ended.
  package var nextNode: NodeName?
  package var isInterrupt: Bool
  package var state: Mlops_V1_DecisionState
  /// `state` as stored (`Checkpointer.encode`): a step hashes its parent's input from these
  /// bytes instead of encoding the state again.
  package var encodedState: [UInt8]
  /// Commit order.
  package var sequence: Int64
}
