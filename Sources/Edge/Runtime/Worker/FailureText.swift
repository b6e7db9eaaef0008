import PostgresNIO

/// What a job failure says in the log and in the run-error event. PostgresNIO's errors print
/// a placeholder by design; the server's own message and SQLSTATE are what an operator needs
/// (never the query's bound values).
enum FailureText {
  static func describe(_ error: any Error) -> String {
    guard let database = error as? PSQLError else { return String(describing: error) }
    guard let message = database.serverInfo?[.message] else { return "database error: \(database.code)" }
    let state = database.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
    return "database error: \(message)\(state)"
  }
}
