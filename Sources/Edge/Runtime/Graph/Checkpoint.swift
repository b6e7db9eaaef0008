import Contracts
import Foundation

/// The graph's state after a node (or an input) on one thread, and where the run goes next.
public struct Checkpoint: Sendable, Equatable {
  public var id: UUID
  public var threadID: UUID
  public var projectID: UUID
  public var parentID: UUID?
  public var version: Int
  /// The node that produced this state, or `start` / `resume` for inputs from people.
  public var node: String
  /// What runs next; nil when the run waits at an interrupt or has ended.
  public var nextNode: NodeName?
  public var isInterrupt: Bool
  public var state: Mlops_V1_DecisionState
  /// Commit order.
  public var sequence: Int64
}
