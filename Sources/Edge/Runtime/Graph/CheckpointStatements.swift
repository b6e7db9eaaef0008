import Foundation
import NIOCore
import PostgresNIO

/// A statement whose one parameter is a thread.
protocol ThreadStatement: PostgresPreparedStatement {
  var threadID: UUID { get }
}

extension ThreadStatement {
  static var bindingDataTypes: [PostgresDataType] { [.uuid] }

  func makeBindings() throws -> PostgresBindings {
    var bindings = PostgresBindings(capacity: 1)
    bindings.append(threadID)
    return bindings
  }
}

/// The checkpoint reads every run segment makes, prepared once per connection: planning them
/// cost several times what running them did (`pg_stat_statements` over `bench graph`).
enum CheckpointStatements {
  static let columns = "checkpoint_id, thread_id, project_id, parent_id, version, node, next_node, is_interrupt, state, seq"

  typealias Columns = (UUID, UUID, UUID, UUID?, Int, String, String?, Bool, ByteBuffer, Int64)

  /// A thread's newest checkpoint.
  struct Latest: ThreadStatement {
    typealias Row = Columns
    static let sql = "SELECT \(columns) FROM checkpoints WHERE thread_id = $1 ORDER BY seq DESC LIMIT 1"
    var threadID: UUID

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Columns.self) }
  }

  /// A thread's newest checkpoint, and whether its project has a budget.
  struct ResumePoint: ThreadStatement {
    typealias Row = (checkpoint: Columns, budgeted: Bool)
    static let sql = """
      SELECT \(columns), EXISTS (SELECT 1 FROM project_budgets b WHERE b.project_id = c.project_id)
      FROM checkpoints c WHERE thread_id = $1 ORDER BY seq DESC LIMIT 1
      """
    var threadID: UUID

    func decodeRow(_ row: PostgresRow) throws -> Row {
      let (id, thread, project, parent, version, node, next, interrupt, state, sequence, budgeted) = try row.decode(
        (UUID, UUID, UUID, UUID?, Int, String, String?, Bool, ByteBuffer, Int64, Bool).self)
      return ((id, thread, project, parent, version, node, next, interrupt, state, sequence), budgeted)
    }
  }
}
