import Contracts
import EdgeAPI
import EdgeRuntime
import Foundation
import PostgresNIO
import Synchronization

/// Graph nodes for the runtime's tests: each appends a Reason Card, counts its calls, and
/// records a side effect in `step_effects` (unique per thread and parent checkpoint) inside
/// the step's transaction, so a step that ran twice would show.
package final class TestNodeBook: Sendable {
  private let calls = Mutex<[String: Int]>([:])

  package init() {}

  package func called(_ node: NodeName) -> Int { calls.withLock { $0[node.rawValue] ?? 0 } }
  package var total: Int { calls.withLock { $0.values.reduce(0, +) } }
  func record(_ node: NodeName) { calls.withLock { $0[node.rawValue, default: 0] += 1 } }

  package static let effectsTable = """
    CREATE TABLE IF NOT EXISTS step_effects (
      thread_id uuid NOT NULL, parent_id uuid NOT NULL, node text NOT NULL, PRIMARY KEY (thread_id, parent_id))
    """
}

package struct TestNode: GraphNode {
  package enum Behaviour: Sendable {
    case plain
    /// coverage_check: sufficient once every open question has an answer, or when `briefSuffices`.
    case coverage(briefSuffices: Bool)
    /// adaptive_questions: asks one budget question.
    case askBudget
    /// policy_eval: the overall outcome to report.
    case policy(Mlops_V1_RuleOutcome)
    /// sleeps this long inside the step (for crash tests).
    case slow(Duration)
    /// validators: whether the bundle passed.
    case validation(passed: Bool)
    /// ends the whole process at once, as a trap in a step would.
    case crash
    /// does this inside the step (cut the database's connections, say).
    case during(@Sendable () async throws -> Void)
  }

  package let name: NodeName
  package let agent: String
  let behaviour: Behaviour
  let book: TestNodeBook
  let recordsEffects: Bool

  package init(_ name: NodeName, behaviour: Behaviour = .plain, book: TestNodeBook, recordsEffects: Bool = true) {
    self.name = name
    self.agent = "test-\(name.rawValue)"
    self.behaviour = behaviour
    self.book = book
    self.recordsEffects = recordsEffects
  }

  /// As its step allows, but never a node that injects a fault: that lands in its own step.
  package var runsAhead: Bool {
    switch behaviour {
    case .crash, .slow, .during: false
    default: name.mayRunAhead
    }
  }

  package func run(state: Mlops_V1_DecisionState, context: NodeContext) async throws -> Mlops_V1_DecisionState {
    book.record(name)
    var state = state
    switch behaviour {
    case .plain:
      break
    case .crash:
      kill(getpid(), SIGKILL)
    case .coverage(let briefSuffices):
      let answered = !state.answers.isEmpty
      state.coverage = .with {
        $0.sufficient = briefSuffices || answered
        $0.score = $0.sufficient ? 0.9 : 0.4
        $0.threshold = 0.7
      }
    case .askBudget:
      state.openQuestions = [
        .with {
          $0.id = "q-budget"; $0.field = "monthly_budget"; $0.text = "What is the monthly budget?"
        }
      ]
      state.questionRounds += 1
    case .policy(let outcome):
      state.policy = .with {
        $0.overall = outcome; $0.summary = "test policy \(outcome)"
      }
    case .slow(let duration):
      try await Task.sleep(for: duration)
    case .during(let action):
      try await action()
    case .validation(let passed):
      state.validation = .with {
        $0.passed = passed
        $0.complete = true
      }
    }
    state.reasonCards.append(
      .with {
        $0.agent = agent
        $0.node = name.rawValue
        $0.choice = "done"
        $0.confidence = 1
      })
    if recordsEffects {
      let thread = context.threadID
      let parent = context.parentCheckpointID
      let node = name.rawValue
      context.effects.add { connection in
        try await connection.query(
          "INSERT INTO step_effects (thread_id, parent_id, node) VALUES (\(thread), \(parent), \(node))",
          logger: TestDatabase.logger)
      }
    }
    return state
  }

  /// All twelve nodes; the conditional ones behave as given.
  package static func all(
    book: TestNodeBook, briefSuffices: Bool = true, policy: Mlops_V1_RuleOutcome = .pass,
    slow: (NodeName, Duration)? = nil, crash: NodeName? = nil,
    during: (NodeName, @Sendable () async throws -> Void)? = nil
  ) -> [any GraphNode] {
    NodeName.allCases.map { name in
      if let during, during.0 == name { return TestNode(name, behaviour: .during(during.1), book: book) }
      if let slow, slow.0 == name { return TestNode(name, behaviour: .slow(slow.1), book: book) }
      if crash == name { return TestNode(name, behaviour: .crash, book: book) }
      switch name {
      case .coverageCheck: return TestNode(name, behaviour: .coverage(briefSuffices: briefSuffices), book: book)
      case .adaptiveQuestions: return TestNode(name, behaviour: .askBudget, book: book)
      case .policyEval: return TestNode(name, behaviour: .policy(policy), book: book)
      case .validators: return TestNode(name, behaviour: .validation(passed: true), book: book)
      default: return TestNode(name, book: book)
      }
    }
  }
}
