import Foundation

/// Why the graph runtime refused to start, resume or step a run.
package enum GraphError: Error, CustomStringConvertible, Equatable {
  case noNode(NodeName)
  case noCheckpoint(UUID)
  case notWaiting(UUID)
  case stillWaiting(UUID, GraphTopology.WaitReason)
  case leaseLost(jobID: Int64)
  case notFinished(UUID)

  package var description: String {
    switch self {
    case .noNode(let node): "no implementation is registered for the node \(node.rawValue)"
    case .noCheckpoint(let thread): "decision set \(thread) has no checkpoint"
    case .notWaiting(let thread): "decision set \(thread) is not waiting for input"
    case .stillWaiting(let thread, let reason): "decision set \(thread) still waits for \(reason.rawValue)"
    case .leaseLost(let job): "job \(job) lost its lease; another worker owns it now"
    case .notFinished(let thread): "decision set \(thread) has a run in progress; revise it once the run has ended"
    }
  }
}
