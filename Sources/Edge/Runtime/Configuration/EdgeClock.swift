import Foundation

/// The wall clock Edge reads when it stamps what people do (a version's submission, a waiver's
/// grant): the system's, or one a test moves by hand.
package struct EdgeClock: Sendable {
  package let now: @Sendable () -> Date

  package init(now: @escaping @Sendable () -> Date) {
    self.now = now
  }

  package static let system = EdgeClock { Date() }
}
