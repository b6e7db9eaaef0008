import ArgumentParser
import Assembly
import AsyncHTTPClient
import Codegen
import EdgeRuntime
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// One data directory, the platform's processes, and the checks. The platform runs as one
/// `mlops serve`, or split as in production: `mlops edge --role api` (which starts the
/// embedded PostgreSQL), one process per gRPC service, and two `mlops worker`s. Foundation
/// makes each process the leader of a process group of its own, so a group can be killed
/// as an operator would.
final class ChaosLab: @unchecked Sendable {
  static let leaseSeconds = 4
  static let workers = ["worker-1", "worker-2"]

  enum Topology {
    case serve
    case split
  }

  let data: URL
  let topology: Topology
  let validators: String
  let logger: Logger
  let http: HTTPClient
  /// Running processes by name: `serve`, or `edge`, the services' names and the workers'.
  private var processes: [String: Process] = [:]
  private var ports: [String: String] = [:]
  private var project: String?
  /// How long each step took in an undisturbed run (ms), so a kill can land inside it.
  private var stepMilliseconds: [String: Int] = [:]

  init(topology: Topology, validators: String, logger: Logger) throws {
    data = FileManager.default.temporaryDirectory.appending(path: "mlops-bench-chaos-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: data.appending(path: "tmp"), withIntermediateDirectories: true)
    self.topology = topology
    self.validators = validators
    self.logger = logger
    var settings = HTTPClient.Configuration(timeout: .init(connect: .seconds(5), read: .seconds(60)))
    settings.maximumUsesPerConnection = 1
    http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: settings)
    ports["MLOPS_HTTP_PORT"] = "\(try FreePort.find())"
    for service in ServiceName.allCases { ports[service.addressVariable] = "127.0.0.1:\(try FreePort.find())" }
    for worker in Self.workers { ports[worker] = "\(try FreePort.find())" }
  }

  /// Where the processes write their logs (one file each).
  var logs: String { data.path + "/*.log" }
  var server: URL { URL(string: "http://127.0.0.1:\(ports["MLOPS_HTTP_PORT"]!)")! }
  var embedded: EmbeddedPostgres {
    get throws {
      EmbeddedPostgres(dataDirectory: data.path, binaries: try PostgresBinaries.locate(), logger: logger)
    }
  }

  // MARK: processes

  /// Starts whatever of the topology is not running, and waits until the API is ready.
  func start() async throws {
    switch topology {
    case .serve:
      if processes["serve"] == nil { try launch("serve", ["serve"]) }
      try await waitUntilReady()
    case .split:
      for service in ServiceName.allCases where processes[service.rawValue] == nil {
        try launch(service.rawValue, [service.rawValue])
      }
      if processes["edge"] == nil { try launch("edge", ["edge", "--role", "api"]) }
      try await waitUntilReady()
      guard let url = try embedded.recordedURL() else { throw ValidationError("edge recorded no embedded PostgreSQL") }
      for worker in Self.workers where processes[worker] == nil {
        try launch(worker, ["worker"], ["DATABASE_URL": url.connectionString, "MLOPS_WORKER_PORT": ports[worker]!])
      }
    }
  }

  private func launch(_ name: String, _ arguments: [String], _ extra: [String: String] = [:]) throws {
    var environment = ProcessInfo.processInfo.environment.merging(ports) { _, new in new }
    environment.removeValue(forKey: "DATABASE_URL")
    environment["MLOPS_DATA_DIR"] = data.path
    environment["MLOPS_HTTP_HOST"] = "127.0.0.1"
    environment["MLOPS_VALIDATORS"] = validators
    environment["MLOPS_LOG_LEVEL"] = "info"
    environment["MLOPS_JOB_LEASE_SECONDS"] = "\(Self.leaseSeconds)"
    environment["TMPDIR"] = data.appending(path: "tmp").path
    environment.merge(extra) { _, new in new }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    process.arguments = arguments
    process.environment = environment
    let logFile = data.appending(path: "\(name).log")
    if !FileManager.default.fileExists(atPath: logFile.path) {
      _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
    }
    let log = try FileHandle(forWritingTo: logFile)
    log.seekToEndOfFile()
    process.standardOutput = log
    process.standardError = log
    process.standardInput = FileHandle.nullDevice
    try process.run()
    processes[name] = process
  }

  private func waitUntilReady() async throws {
    let deadline = ContinuousClock.now + .seconds(120)
    while ContinuousClock.now < deadline {
      if let exited = processes.first(where: { !$0.value.isRunning }) {
        throw ValidationError("mlops \(exited.key) exited early")
      }
      if let reply = try? await http.execute(
        HTTPClientRequest(url: server.appending(path: "readyz").absoluteString), timeout: .seconds(2)),
        reply.status == .ok
      {
        return
      }
      try await Task.sleep(for: .milliseconds(100))
    }
    throw ValidationError("the platform was not ready in 120 s")
  }

  /// `kill -9` of the named process's group; true when something of the group outlived it
  /// by a second (an orphan).
  func kill(_ name: String) async throws -> Bool {
    guard let process = processes.removeValue(forKey: name) else { throw ValidationError("\(name) is not running") }
    let group = process.processIdentifier
    Foundation.kill(-group, SIGKILL)
    process.waitUntilExit()
    try await Task.sleep(for: .seconds(1))
    return Self.survivors(of: [group])
  }

  /// `kill -9` of every process and of the postmaster (which `pg_ctl` starts in a session of
  /// its own): the whole machine's processes gone at once.
  func killEverything() async throws -> Bool {
    let postmaster = try embedded.postmasterPID()
    let groups = processes.values.map(\.processIdentifier)
    for group in groups { Foundation.kill(-group, SIGKILL) }
    if let postmaster { Foundation.kill(postmaster, SIGKILL) }
    for process in processes.values { process.waitUntilExit() }
    processes = [:]
    try await Task.sleep(for: .seconds(1))
    return Self.survivors(of: groups)
  }

  /// Whether a living process (not a zombie, which only waits for init to reap it) is in one
  /// of the groups; each is named on the console.
  static func survivors(of groups: [pid_t]) -> Bool {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    var found = false
    for entry in entries {
      guard Int32(entry) != nil, let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
      else { continue }
      // After "pid (comm) ": state, ppid, pgrp.
      let fields = stat[stat.index(after: close)...].split(separator: " ")
      guard fields.count > 2, let group = Int32(fields[2]), groups.contains(group), fields[0] != "Z" else { continue }
      let command =
        (try? String(contentsOfFile: "/proc/\(entry)/cmdline", encoding: .utf8))?
        .replacingOccurrences(of: "\u{0}", with: " ") ?? "?"
      Console.line("chaos: process \(entry) (\(command)) outlived its killed group \(group)")
      found = true
    }
    return found
  }

  /// The worker process holding the run's job; nil when no job of the run is running.
  func worker(holding thread: UUID) async throws -> String? {
    let owner = try await withDatabase { client in
      let rows = try await client.query(
        "SELECT lease_owner FROM jobs WHERE thread_id = \(thread) AND state = 'running'", logger: self.logger)
      for try await owner in rows.decode(String?.self) { return owner }
      return nil
    }
    guard let owner else { return nil }
    // Owners read host:pid:nonce.
    let parts = owner.split(separator: ":")
    guard parts.count == 3, let pid = Int32(parts[1]),
      let name = processes.first(where: { $0.value.processIdentifier == pid })?.key
    else { throw ValidationError("no worker of this lab holds the run's job (owner \(owner))") }
    return name
  }

  func tearDown(keepingData: Bool) {
    for process in processes.values where process.isRunning { process.terminate() }
    let deadline = Date().addingTimeInterval(30)
    for process in processes.values {
      while process.isRunning, Date() < deadline { usleep(100_000) }
      // A process that does not drain in 30 s (a step stuck on a call) is killed, group and all.
      if process.isRunning { Foundation.kill(-process.processIdentifier, SIGKILL) }
      process.waitUntilExit()
    }
    processes = [:]
    if let postmaster = try? embedded.postmasterPID() { Foundation.kill(postmaster, SIGKILL) }
    try? http.syncShutdown()
    if !keepingData { try? FileManager.default.removeItem(at: data) }
  }

  func api() async throws -> APIClient {
    APIClient(server: server, http: http, token: try await CallerToken.local(environment: ["MLOPS_DATA_DIR": data.path]))
  }

  func withDatabase<T: Sendable>(_ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
    guard let url = try embedded.recordedURL() else { throw ValidationError("no embedded PostgreSQL is recorded") }
    return try await url.withRunningClient(logger: logger, maximumConnections: 2) { try await body($0) }
  }

  // MARK: one iteration

  func iterate(scenario: String, step: String, recovery: Duration, into row: inout ChaosBench.Row) async throws {
    try await start()
    let client = try await api()
    let project: String
    if let known = self.project {
      project = known
    } else {
      project = try await ProjectLookup(client: client).resolve("chaos")
      _ = try await client.send(.PATCH, "/v1/projects/\(project)", json: ["allow_incomplete_bundles": true])
      self.project = project
    }
    if stepMilliseconds.isEmpty {
      // One undisturbed run first: how long each step takes here.
      let thread = try await toApproval(client, project: project)
      try await waitFor(thread, status: "completed", within: .seconds(120))
      stepMilliseconds = try await withDatabase { client in
        let rows = try await client.query(
          "SELECT node, COALESCE(latency_ms, 0) FROM agent_runs WHERE thread_id = \(thread)", logger: self.logger)
        var latencies: [String: Int] = [:]
        for try await (node, latency) in rows.decode((String, Int).self) { latencies[node] = latency }
        return latencies
      }
    }
    let thread = try await toApproval(client, project: project)

    let faultAt = ContinuousClock.now
    let landed = try await waitForStep(thread, step)
    row.landed[landed, default: 0] += 1
    switch scenario {
    case "serve":
      row.orphans += try await killEverything() ? 1 : 0
      row.kills += 1
    case "worker":
      // A run already past the step, or between two jobs (its continuation not yet claimed),
      // has no worker to kill.
      if landed != "completed", let holder = try await worker(holding: thread) {
        row.orphans += try await kill(holder) ? 1 : 0
        row.kills += 1
      }
    case "service":
      // Codegen serves both steps a service can be killed in after the gate; it is down a
      // random while before it comes back.
      row.orphans += try await kill(ServiceName.codegen.rawValue) ? 1 : 0
      row.kills += 1
      try await Task.sleep(for: .milliseconds(Int.random(in: 0...2_000)))
    default:
      try await restartPostgres()
      row.kills += 1
    }
    try await start()
    try await waitFor(thread, status: "completed", within: recovery)
    row.recoverySeconds.append((ContinuousClock.now - faultAt).seconds)
    row.completed += 1
    let findings = try await check(thread, project: project)
    row.doubled += findings.doubled ? 1 : 0
    row.corrupt += findings.corrupt ? 1 : 0
    row.attempts += findings.attempts
    row.leftovers += leftovers()
  }

  /// Submits the brief and approves it at the gate; returns the decision set.
  func toApproval(_ client: APIClient, project: String) async throws -> UUID {
    let submitted = try await client.send(.POST, "/v1/projects/\(project)/decision-sets", json: ["brief": ChaosBench.brief])
    guard let id = submitted.fields["id"] as? String, let thread = UUID(uuidString: id) else {
      throw ValidationError("the brief was not accepted")
    }
    try await waitFor(thread, status: "waiting_for_approval", within: .seconds(60))
    _ = try await client.send(.POST, "/v1/decision-sets/\(id)/approve", json: ["status": "approved"])
    return thread
  }

  func restartPostgres() async throws {
    let binaries = try PostgresBinaries.locate()
    let command =
      (geteuid() == 0 ? ["runuser", "-u", "postgres", "--"] : [])
      + [binaries.pgCtl, "restart", "-m", "immediate", "--wait", "--silent", "-D", try embedded.clusterDirectory.path]
    try await CommandRunner.run(command)
  }

  /// Polls until `thread` is running `step` (or has passed it), then waits a random moment
  /// inside it; returns the node running when the fault lands.
  func waitForStep(_ thread: UUID, _ step: String) async throws -> String {
    // `current_node` names the last step committed: a run is inside a step once the one
    // before it has committed.
    guard let target = Self.order.firstIndex(of: step), target > 0 else {
      throw ValidationError("\(step) is not a step after the approval")
    }
    let deadline = ContinuousClock.now + .seconds(120)
    return try await withDatabase { client in
      while ContinuousClock.now < deadline {
        let current = try await self.node(of: thread, on: client)
        if current == "completed" { return current }
        if let index = Self.order.firstIndex(of: current), index >= target - 1 {
          // A random moment within the step's usual length (it is already a poll's length in).
          let usual = self.stepMilliseconds[step] ?? 0
          if usual > 2 { try await Task.sleep(for: .microseconds(Int.random(in: 0..<(usual * 800)))) }
          return Self.running(after: try await self.node(of: thread, on: client))
        }
      }
      throw ValidationError("the run never reached \(step)")
    }
  }

  /// The steps after the approval, from the resume it commits.
  static let order = ["resume", "codegen", "validators", "rationale_compile", "diff_and_persist"]

  /// The step running once `committed` has committed (the run's status once it has ended).
  static func running(after committed: String) -> String {
    guard let index = order.firstIndex(of: committed) else { return committed }
    return index + 1 < order.count ? order[index + 1] : "completed"
  }

  func node(of thread: UUID) async throws -> String {
    try await withDatabase { try await self.node(of: thread, on: $0) }
  }

  /// The node the run is at (`current_node`), or its status once it has ended.
  func node(of thread: UUID, on client: PostgresClient) async throws -> String {
    let rows = try await client.query(
      "SELECT current_node, status FROM decision_sets WHERE id = \(thread)", logger: logger)
    for try await (node, status) in rows.decode((String?, String).self) {
      return status == "running" ? node ?? "?" : status
    }
    return "?"
  }

  func waitFor(_ thread: UUID, status wanted: String, within limit: Duration) async throws {
    let deadline = ContinuousClock.now + limit
    var last = "?"
    while ContinuousClock.now < deadline {
      if let status = try? await withDatabase({ client in
        let rows = try await client.query("SELECT status FROM decision_sets WHERE id = \(thread)", logger: self.logger)
        for try await status in rows.decode(String.self) { return status }
        return "?"
      }) {
        last = status
        if status == wanted { return }
        if ["failed", "blocked", "rejected"].contains(status) { break }
      }
      try await Task.sleep(for: .milliseconds(100))
    }
    throw ValidationError("the run is \(last), not \(wanted)")
  }

  struct Findings {
    var doubled: Bool
    var corrupt: Bool
    var attempts: Int
  }

  /// One stored artifact for the version, intact; one tag; `git fsck` clean; one
  /// `run-complete` event and one approval.
  func check(_ thread: UUID, project: String) async throws -> Findings {
    let logger = self.logger
    let counts = try await withDatabase { client in
      let rows = try await client.query(
        """
        SELECT (SELECT count(*) FROM artifacts WHERE decision_set_id = \(thread))::int,
               (SELECT count(*) FROM events WHERE decision_set_id = \(thread) AND type = 'run-complete')::int,
               (SELECT count(*) FROM approvals WHERE decision_set_id = \(thread))::int,
               (SELECT COALESCE(sum(attempts), 0) FROM jobs WHERE thread_id = \(thread))::int
        """, logger: logger)
      for try await row in rows.decode((Int, Int, Int, Int).self) { return row }
      return (0, 0, 0, 0)
    }
    let intact = try await withDatabase { client in
      try await ArtifactIntegrity.verifyAll(
        store: LocalArtifactStore(root: self.data.appending(path: "artifacts")), client: client, logger: logger
      )
      .filter { $0.decisionSetID == thread }
      .allSatisfy { $0.finding == .intact }
    }
    let repository = data.appending(path: "repositories/\(project).git").path
    let tags = try await CommandRunner.run(
      ["git", "-C", repository, "tag", "--list", ProjectRepositories.tag(decisionSetID: thread, version: 1)])
    let fsck = try await CommandRunner.run(["git", "-C", repository, "fsck", "--no-progress"], checked: false)
    let tagCount = tags.standardOutput.split(separator: "\n").count
    return Findings(
      doubled: counts.0 > 1 || counts.1 > 1 || counts.2 > 1 || tagCount > 1,
      corrupt: counts.0 == 0 || !intact || tagCount == 0 || fsck.status != 0, attempts: counts.3)
  }

  /// Scratch a crash may leave and the next start or step must remove.
  func leftovers() -> Int {
    let names = FileManager.default.enumerator(atPath: data.path)?.compactMap { $0 as? String } ?? []
    return names.filter {
      let name = URL(fileURLWithPath: $0).lastPathComponent
      return name.hasPrefix(ValidatorSuite.scratchPrefix) || name.hasPrefix(ProjectRepositories.scratchPrefix)
        || name.hasSuffix(".partial")
    }.count
  }
}
