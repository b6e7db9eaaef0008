import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// A PostgreSQL cluster kept under the data directory, for when `DATABASE_URL` is unset.
///
/// The first start runs initdb (password authentication on loopback, the password kept in
/// `postgres.password` beside the cluster); later starts reuse the cluster, so data survives.
/// The server listens on 127.0.0.1 at a free port and on a Unix socket inside the cluster
/// folder. PostgreSQL refuses to run as root, so as root every server program runs as the
/// `postgres` user, which then owns the cluster folder.
package final class EmbeddedPostgres: Sendable {
  package static let username = "mlops"
  package static let databaseName = "mlops"

  package let dataDirectory: URL
  private let binaries: PostgresBinaries
  private let logger: Logger

  package var clusterDirectory: URL { dataDirectory.appending(path: "postgres") }
  var passwordFile: URL { dataDirectory.appending(path: "postgres.password") }
  var portFile: URL { dataDirectory.appending(path: "postgres.port") }
  var serverLog: URL { clusterDirectory.appending(path: "server.log") }
  /// The process id of the `mlops` process that started (or adopted) the server.
  var ownerFile: URL { dataDirectory.appending(path: "postgres.owner") }

  package init(dataDirectory: String, binaries: PostgresBinaries, logger: Logger) {
    self.dataDirectory = URL(filePath: dataDirectory, relativeTo: URL.currentDirectory()).standardizedFileURL
    self.binaries = binaries
    self.logger = logger
  }

  /// Where the server this data directory's cluster last ran on listens, as its port and
  /// password files say (for tools beside `serve`, such as the chaos benchmark); nil if none.
  package func recordedURL() -> DatabaseURL? {
    guard
      let port = (try? String(contentsOf: portFile, encoding: .utf8)).flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }),
      let password = try? String(contentsOf: passwordFile, encoding: .utf8)
    else { return nil }
    return databaseURL(port: port, password: password.trimmingCharacters(in: .whitespacesAndNewlines))
  }

  /// The postmaster's process id, from its pid file; nil when no server runs.
  package func postmasterPID() -> pid_t? {
    guard let text = try? String(contentsOf: clusterDirectory.appending(path: "postmaster.pid"), encoding: .utf8),
      let first = text.split(separator: "\n").first
    else { return nil }
    return pid_t(first.trimmingCharacters(in: .whitespaces))
  }

  /// Whether this process started the server (and so must stop it).
  package struct Started: Sendable {
    package var url: DatabaseURL
    package var startedHere: Bool
  }

  /// Initialises the cluster if needed, starts the server unless it already runs, and makes
  /// sure the `mlops` database exists.
  ///
  /// A server killed a moment ago (with the process that owned it) still looks alive for a
  /// while: its pid file is there and its backends are exiting, so it neither answers nor
  /// lets a new one start. That is waited out, up to `settleTimeout`.
  package func start(settleTimeout: Duration = .seconds(60)) async throws -> Started {
    let deadline = ContinuousClock.now + settleTimeout
    while true {
      do {
        return try await startOnce()
      } catch let error where ContinuousClock.now < deadline && (error is PSQLError || error is CommandRunner.Failure) {
        logger.notice(
          "the embedded PostgreSQL is not ready yet (a server that was killed may still be exiting); trying again",
          metadata: ["error": "\(String(reflecting: error).prefix(300))"])
        try await Task.sleep(for: .milliseconds(500))
      }
    }
  }

  private func startOnce() async throws -> Started {
    try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
    let password = try await initialiseIfNeeded()

    if let port = try await runningPort() {
      let url = databaseURL(port: port, password: password)
      try await createDatabaseIfNeeded(url)
      // A server whose owner is gone was left by a process that crashed: this one adopts it
      // and stops it when it ends. One whose owner lives (a `serve` beside this `migrate`) is
      // that owner's to stop.
      if let owner = recordedOwner(), owner != getpid(), kill(owner, 0) == 0 || errno == EPERM {
        logger.info("embedded PostgreSQL already running", metadata: ["port": "\(port)", "owner_pid": "\(owner)"])
        return Started(url: url, startedHere: false)
      }
      logger.notice("adopting the embedded PostgreSQL a stopped process left running", metadata: ["port": "\(port)"])
      takeOwnership()
      return Started(url: url, startedHere: true)
    }

    let port = try FreePort.find()
    let options = [
      "-p \(port)", "-c listen_addresses=127.0.0.1",
      "-c unix_socket_directories='\(clusterDirectory.path)'",
    ].joined(separator: " ")
    try await runServerProgram([
      binaries.pgCtl, "start", "--wait", "--timeout=60", "--silent",
      "-D", clusterDirectory.path, "-l", serverLog.path, "-o", options,
    ])
    try String(port).write(to: portFile, atomically: true, encoding: .utf8)
    takeOwnership()
    logger.info("embedded PostgreSQL started", metadata: ["port": "\(port)", "cluster": "\(clusterDirectory.path)"])
    let url = databaseURL(port: port, password: password)
    try await createDatabaseIfNeeded(url)
    return Started(url: url, startedHere: true)
  }

  /// Stops the server with a fast shutdown (open transactions roll back; committed data stays).
  package func stop() async throws {
    try await runServerProgram([binaries.pgCtl, "stop", "--wait", "--mode=fast", "--silent", "-D", clusterDirectory.path])
    try? FileManager.default.removeItem(at: portFile)
    try? FileManager.default.removeItem(at: ownerFile)
    logger.info("embedded PostgreSQL stopped")
  }

  private func recordedOwner() -> pid_t? {
    guard let text = try? String(contentsOf: ownerFile, encoding: .utf8) else { return nil }
    return pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
  }

  /// Records this process as the server's owner and starts a guard that stops the server if
  /// this process dies without doing so (SIGKILL, a trap): nothing in a dead process can.
  private func takeOwnership() {
    let pid = getpid()
    try? String(pid).write(to: ownerFile, atomically: true, encoding: .utf8)
    let stop =
      (runsAsRoot ? ["runuser", "-u", "postgres", "--"] : []) + [
        binaries.pgCtl, "stop", "--wait", "--mode=fast", "--silent", "-D", clusterDirectory.path,
      ]
    let quoted = stop.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
    let owner = "'\(ownerFile.path.replacingOccurrences(of: "'", with: "'\\''"))'"
    // Stops the server only while the owner file still names the dead process: a clean stop
    // removes the file, and an adopter rewrites it.
    let script = """
      while kill -0 \(pid) 2>/dev/null; do sleep 1; done
      if [ "$(cat \(owner) 2>/dev/null)" = "\(pid)" ]; then \(quoted); rm -f \(owner); fi
      """
    let guardian = Process()
    guardian.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
    guardian.arguments = ["/bin/sh", "-c", script]
    guardian.standardInput = FileHandle.nullDevice
    guardian.standardOutput = FileHandle.nullDevice
    guardian.standardError = FileHandle.nullDevice
    do {
      try guardian.run()
    } catch {
      logger.warning("could not start the embedded PostgreSQL guard", metadata: ["error": "\(error)"])
    }
  }

  // MARK: - Steps

  private func initialiseIfNeeded() async throws -> String {
    let versionFile = clusterDirectory.appending(path: "PG_VERSION")
    if FileManager.default.fileExists(atPath: versionFile.path) {
      guard let password = try? String(contentsOf: passwordFile, encoding: .utf8) else {
        throw EmbeddedPostgresError.missingPassword(passwordFile.path)
      }
      return password.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // A folder left by an initdb that did not finish would make the next one fail.
    try? FileManager.default.removeItem(at: clusterDirectory)
    try FileManager.default.createDirectory(at: clusterDirectory, withIntermediateDirectories: true)
    let password = Self.makePassword()
    try password.write(to: passwordFile, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: passwordFile.path)

    // initdb reads the password from a file; keep it inside the cluster folder only as long as needed.
    let initPasswordFile = dataDirectory.appending(path: ".initdb-password")
    try password.write(to: initPasswordFile, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: initPasswordFile) }
    try await handToServerUser(clusterDirectory)
    try await handToServerUser(initPasswordFile)

    logger.info("initialising embedded PostgreSQL cluster", metadata: ["cluster": "\(clusterDirectory.path)"])
    try await runServerProgram([
      binaries.initdb, "-D", clusterDirectory.path, "-U", Self.username,
      "--pwfile=\(initPasswordFile.path)", "--auth-host=scram-sha-256", "--auth-local=peer",
      "--encoding=UTF8", "--locale=C",
    ])
    return password
  }

  /// The port of a server already running on this cluster, if one is.
  private func runningPort() async throws -> Int? {
    let status = try await runServerProgram([binaries.pgCtl, "status", "-D", clusterDirectory.path], checked: false)
    guard status.status == 0 else { return nil }
    guard let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text) else {
      // Running, but on a port nobody recorded: stop it so it can be started on a known one.
      try await stop()
      return nil
    }
    return port
  }

  private func createDatabaseIfNeeded(_ url: DatabaseURL) async throws {
    var maintenance = url
    maintenance.database = "postgres"
    let connection = try await PostgresConnection.connect(
      configuration: .init(
        host: maintenance.host, port: maintenance.port, username: maintenance.username,
        password: maintenance.password, database: maintenance.database, tls: .disable),
      id: 0, logger: logger)
    do {
      let rows = try await connection.guardedQuery(
        "SELECT 1 FROM pg_database WHERE datname = \(Self.databaseName)", logger: logger)
      var exists = false
      for try await _ in rows { exists = true }
      if !exists {
        try await connection.guardedQuery(PostgresQuery(unsafeSQL: "CREATE DATABASE \(Self.databaseName)"), logger: logger)
      }
      try await connection.close()
    } catch {
      try? await connection.close()
      throw error
    }
  }

  // MARK: - Helpers

  private func databaseURL(port: Int, password: String) -> DatabaseURL {
    DatabaseURL(
      host: "127.0.0.1", port: port, username: Self.username, password: password,
      database: Self.databaseName, sslMode: .disable)
  }

  private var runsAsRoot: Bool { geteuid() == 0 }

  @discardableResult
  private func runServerProgram(_ command: [String], checked: Bool = true) async throws -> CommandRunner.Output {
    let command = runsAsRoot ? ["runuser", "-u", "postgres", "--"] + command : command
    return try await CommandRunner.run(command, checked: checked)
  }

  /// As root, gives `path` to the `postgres` user and checks that user can reach it.
  private func handToServerUser(_ url: URL) async throws {
    guard runsAsRoot else { return }
    try await CommandRunner.run(["chown", "-R", "postgres:postgres", url.path])
    let reachable = try await CommandRunner.run(
      ["runuser", "-u", "postgres", "--", "test", "-r", url.path], checked: false)
    if reachable.status != 0 { throw EmbeddedPostgresError.unreachable(url.path) }
  }

  static func makePassword() -> String {
    var generator = SystemRandomNumberGenerator()
    let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
    return String((0..<32).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
  }
}

package enum EmbeddedPostgresError: Error, CustomStringConvertible {
  case missingPassword(String)
  case unreachable(String)

  package var description: String {
    switch self {
    case .missingPassword(let path):
      "the embedded PostgreSQL cluster exists but its password file \(path) is missing or unreadable; restore it, or remove the data directory to start afresh"
    case .unreachable(let path):
      "the postgres user cannot reach \(path) (a parent folder is closed to it); set MLOPS_DATA_DIR to a folder every user can traverse"
    }
  }
}
