import EdgeRuntime
import Foundation
import Hummingbird
import ServiceKit

/// The `:id` of a decision-set route, and the 404 every such route answers for an unknown one.
enum DecisionSetRoute {
  static func id(_ context: some RequestContext) throws(Problem) -> UUID {
    let text = context.parameters.get("id") ?? ""
    guard let id = UUID(uuidString: text) else {
      throw Problem.notFound("decision_set_not_found", "no decision set has the id \(text.debugDescription)")
    }
    return id
  }

  static func notFound(_ id: UUID) -> Problem {
    Problem.notFound("decision_set_not_found", "no decision set has the id \(id.lowercaseString)")
  }
}
