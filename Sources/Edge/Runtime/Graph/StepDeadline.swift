/// The most one step may take. Heartbeats keep a running step's lease alive, so without a
/// deadline a step stuck on a call that never answers would hold its job for ever; past the
/// deadline the step is cancelled (its calls and subprocesses with it) and the job fails
/// like any other error: retried with backoff, dead after its last attempt.
struct StepDeadline: Sendable {
  let limit: Duration

  struct Exceeded: Error, CustomStringConvertible {
    var node: NodeName
    var limit: Duration
    var description: String { "step \(node.rawValue) took longer than \(limit.components.seconds) s and was stopped" }
  }

  func run<T: Sendable>(_ node: NodeName, _ body: @Sendable @escaping () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
      group.addTask { try await body() }
      group.addTask {
        try await Task.sleep(for: limit)
        throw Exceeded(node: node, limit: limit)
      }
      defer { group.cancelAll() }
      guard let first = try await group.next(), let value = first else { throw CancellationError() }
      return value
    }
  }
}
