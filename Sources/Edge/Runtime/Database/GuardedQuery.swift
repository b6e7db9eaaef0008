import Logging
import NIOCore
import PostgresNIO

/// The connection had closed before the query was written; nothing reached the server.
package struct ConnectionClosedBeforeQuery: Error, CustomStringConvertible {
  package var description: String { "the database connection closed before the query was sent" }
}

extension PostgresConnection {
  /// `query`, refused with `ConnectionClosedBeforeQuery` on a connection that has closed, its
  /// rows read in full.
  ///
  /// PostgresNIO 1.33.2 writes a query with no write promise: once a closed channel has shed
  /// its handlers, the write fails silently and the query is never answered, nor can the
  /// wait be cancelled. The check and the write run in one turn of the connection's event
  /// loop (the task prefers that loop as its executor), so a channel found open cannot shed
  /// its handlers before the query reaches them; a close after that fails the query. The rows
  /// are read there too, where they arrive, rather than after a hop to another thread.
  @discardableResult
  package func guardedQuery(
    _ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line
  ) async throws -> FetchedRows {
    try await withTaskExecutorPreference(EventLoopTaskExecutor(eventLoop)) {
      guard !isClosed else { throw ConnectionClosedBeforeQuery() }
      return FetchedRows(try await self.query(query, logger: logger, file: file, line: line).collect())
    }
  }

  /// A prepared statement's decoded rows, refused and read like `guardedQuery`'s.
  package func guardedExecute<Statement: PostgresPreparedStatement, Row>(
    _ statement: Statement, logger: Logger, file: String = #fileID, line: Int = #line
  ) async throws -> [Row] where Row == Statement.Row {
    try await withTaskExecutorPreference(EventLoopTaskExecutor(eventLoop)) {
      guard !isClosed else { throw ConnectionClosedBeforeQuery() }
      var rows: [Row] = []
      for try await row in try await execute(statement, logger: logger, file: file, line: line) { rows.append(row) }
      return rows
    }
  }
}

extension PostgresClient {
  /// One query on a pooled connection, its rows read before the lease ends. A lease found
  /// closed (the pool lends one for a moment after a restart) is given back and another
  /// taken: nothing was sent on it.
  @discardableResult
  package func guardedQuery(
    _ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line
  ) async throws -> FetchedRows {
    try await onLeaseFoundOpen { try await $0.guardedQuery(query, logger: logger, file: file, line: line) }
  }

  /// A prepared statement on a pooled connection, its rows read and its lease taken like
  /// `guardedQuery`'s.
  package func guardedExecute<Statement: PostgresPreparedStatement, Row>(
    _ statement: Statement, logger: Logger, file: String = #fileID, line: Int = #line
  ) async throws -> [Row] where Row == Statement.Row {
    try await onLeaseFoundOpen { try await $0.guardedExecute(statement, logger: logger, file: file, line: line) }
  }

  private func onLeaseFoundOpen<Result>(_ body: (PostgresConnection) async throws -> Result) async throws
    -> Result
  {
    var attempt = 0
    while true {
      attempt += 1
      do {
        return try await withConnection { try await body($0) }
      } catch is ConnectionClosedBeforeQuery where attempt < 50 {
        try await Task.sleep(for: .milliseconds(20))
      }
    }
  }
}

/// Rows read in full, iterated and decoded like PostgresNIO's `PostgresRowSequence`.
package struct FetchedRows: AsyncSequence, Sendable {
  package typealias Element = PostgresRow
  package let rows: [PostgresRow]

  package init(_ rows: [PostgresRow]) { self.rows = rows }

  package func collect() -> [PostgresRow] { rows }

  package func makeAsyncIterator() -> Iterator { Iterator(remaining: rows[...]) }

  package struct Iterator: AsyncIteratorProtocol {
    var remaining: ArraySlice<PostgresRow>
    package mutating func next() async throws -> PostgresRow? { remaining.popFirst() }
  }
}

/// A task executor that runs jobs on one NIO event loop.
private final class EventLoopTaskExecutor: TaskExecutor {
  let loop: any EventLoop

  init(_ loop: any EventLoop) { self.loop = loop }

  func enqueue(_ job: consuming ExecutorJob) {
    let job = UnownedJob(job)
    loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
  }
}

/// Whether `error` says the query's connection was cut (closed, or ended by a server
/// shutting down or restarting) rather than that the query itself failed.
package func isConnectionCut(_ error: any Error) -> Bool {
  if error is ConnectionClosedBeforeQuery { return true }
  guard let error = error as? PSQLError else { return false }
  switch error.code {
  case .serverClosedConnection, .uncleanShutdown, .connectionError: return true
  case .server: return error.serverInfo?[.sqlState]?.hasPrefix("57P") ?? false
  default: return false
  }
}
