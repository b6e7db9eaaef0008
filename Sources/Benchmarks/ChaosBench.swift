import ArgumentParser
import Assembly
import AsyncHTTPClient
import Codegen
import EdgeRuntime
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Faults on purpose: whole runs through `mlops serve` (this binary, its embedded
/// PostgreSQL) with the process killed mid-step, or PostgreSQL restarted mid-run, then
/// checked for what a crash may not do: lose a run, do a step's work twice, corrupt a
/// bundle or a repository, or leave a process or a temporary file behind.
///
/// - `serve`: for each step named, `kill -9` of serve's whole process group and of the
///   embedded postmaster at a random moment inside that step, then a restart.
/// - `postgres`: `pg_ctl restart -m immediate` at a random moment after the approval.
struct ChaosBench: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "chaos",
    abstract: "kill serve (and its PostgreSQL) mid-step, or restart PostgreSQL mid-run; count lost, doubled and corrupt runs.")

  @Option(help: "Kills per step (serve) and restarts (postgres).") var iterations = 20
  @Option(help: "Steps to kill serve in, comma-separated.")
  var steps = "codegen,validators,rationale_compile,diff_and_persist"
  @Option(help: "Scenarios, comma-separated: serve, postgres.") var scenarios = "serve,postgres"
  @Option(help: "MLOPS_VALIDATORS for the platform under test.") var validators = "secret-scan"
  @Option(help: "Seconds a killed run may take to complete after the restart.") var recoverySeconds = 180

  static let brief =
    "Fraud scoring on card transactions at checkout, p95 under 80 ms, about $3k a month, PII, EU regions only. Peak traffic is 400 transactions per second. Retrain weekly with XGBoost."

  struct Row: Sendable {
    var scenario: String
    var step: String
    var iterations = 0
    var kills = 0
    var completed = 0
    var lost = 0
    var doubled = 0
    var corrupt = 0
    var orphans = 0
    var leftovers = 0
    var attempts = 0
    var recoverySeconds: [Double] = []
    /// Where the kills landed (the node running at that moment).
    var landed: [String: Int] = [:]

    var json: [String: Any] {
      [
        "scenario": scenario, "step": step, "iterations": iterations, "kills": kills, "completed": completed, "lost": lost,
        "doubled": doubled, "corrupt": corrupt, "orphans": orphans, "temporary_files_left": leftovers,
        "attempts_spent": attempts, "recovery_p50_s": Self.round(Percentiles(recoverySeconds).value(50)),
        "recovery_max_s": Self.round(recoverySeconds.max() ?? 0), "landed": landed,
      ]
    }

    static func round(_ value: Double) -> Double { (value * 100).rounded() / 100 }
  }

  func run() async throws {
    let stepList = steps.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    let scenarioList = scenarios.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    guard iterations > 0, !stepList.isEmpty, scenarioList.allSatisfy({ ["serve", "postgres"].contains($0) }) else {
      throw ValidationError("--iterations must be positive, --steps non-empty, --scenarios serve and/or postgres")
    }
    let logger = Logger(label: "bench-chaos")
    var rows: [Row] = []
    for scenario in scenarioList {
      let targets = scenario == "serve" ? stepList : ["any"]
      for step in targets {
        let lab = try ChaosLab(validators: validators, logger: logger)
        var row = Row(scenario: scenario, step: step)
        // A scenario that lost a run keeps its data directory and log for a look.
        defer { lab.tearDown(keepingData: row.lost > 0) }
        for iteration in 1...iterations {
          row.iterations += 1
          do {
            try await lab.iterate(
              scenario: scenario, step: step, recovery: .seconds(recoverySeconds), into: &row)
          } catch {
            row.lost += 1
            Console.line("chaos \(scenario)/\(step) #\(iteration): \(error); the platform's log: \(lab.logFile.path)")
          }
        }
        rows.append(row)
        Console.line(
          "chaos \(scenario)/\(step): \(row.completed)/\(row.iterations) completed, \(row.lost) lost, \(row.doubled) doubled, \(row.corrupt) corrupt"
        )
      }
    }
    Console.line(
      "chaos: mlops serve with its embedded PostgreSQL, deterministic providers, validators: \(validators); a lease of \(ChaosLab.leaseSeconds) s"
    )
    printTable(
      [
        "scenario", "step", "iterations", "kills", "completed", "lost", "doubled", "corrupt", "orphans", "tmp left",
        "attempts", "recover p50/max s",
      ],
      rows.map { row in
        [row.scenario, row.step]
          + [
            row.iterations, row.kills, row.completed, row.lost, row.doubled, row.corrupt, row.orphans, row.leftovers,
            row.attempts,
          ].map(String.init)
          + [String(format: "%.1f/%.1f", Percentiles(row.recoverySeconds).value(50), row.recoverySeconds.max() ?? 0)]
      })
    let totals: [String: Int] = [
      "iterations": rows.map(\.iterations).reduce(0, +), "kills": rows.map(\.kills).reduce(0, +),
      "completed": rows.map(\.completed).reduce(0, +), "lost": rows.map(\.lost).reduce(0, +),
      "doubled": rows.map(\.doubled).reduce(0, +), "corrupt": rows.map(\.corrupt).reduce(0, +),
      "orphans": rows.map(\.orphans).reduce(0, +), "temporary_files_left": rows.map(\.leftovers).reduce(0, +),
    ]
    let line: [String: Any] = ["bench": "chaos", "scenarios": rows.map(\.json), "totals": totals]
    let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
    Console.line(String(decoding: data, as: UTF8.self))
  }
}

/// One data directory, one `mlops serve` at a time in a session of its own, and the checks.
final class ChaosLab: @unchecked Sendable {
  static let leaseSeconds = 4

  let data: URL
  let logFile: URL
  let validators: String
  let logger: Logger
  let http: HTTPClient
  private var serve: Process?
  private var ports: [String: String] = [:]
  private var project: String?
  /// How long each step took in an undisturbed run (ms), so a kill can land inside it.
  private var stepMilliseconds: [String: Int] = [:]

  init(validators: String, logger: Logger) throws {
    data = FileManager.default.temporaryDirectory.appending(path: "mlops-bench-chaos-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: data.appending(path: "tmp"), withIntermediateDirectories: true)
    logFile = data.appending(path: "serve.log")
    _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
    self.validators = validators
    self.logger = logger
    var settings = HTTPClient.Configuration(timeout: .init(connect: .seconds(5), read: .seconds(60)))
    settings.maximumUsesPerConnection = 1
    http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: settings)
    ports["MLOPS_HTTP_PORT"] = "\(try FreePort.find())"
    for service in ServiceName.allCases { ports[service.addressVariable] = "127.0.0.1:\(try FreePort.find())" }
  }

  var server: URL { URL(string: "http://127.0.0.1:\(ports["MLOPS_HTTP_PORT"]!)")! }
  var embedded: EmbeddedPostgres {
    get throws {
      EmbeddedPostgres(dataDirectory: data.path, binaries: try PostgresBinaries.locate(), logger: logger)
    }
  }

  // MARK: serve

  /// Starts `mlops serve`; Foundation makes it the leader of a process group of its own, so
  /// the whole group can be killed as an operator would.
  func start() async throws {
    var environment = ProcessInfo.processInfo.environment.merging(ports) { _, new in new }
    environment.removeValue(forKey: "DATABASE_URL")
    environment["MLOPS_DATA_DIR"] = data.path
    environment["MLOPS_HTTP_HOST"] = "127.0.0.1"
    environment["MLOPS_VALIDATORS"] = validators
    environment["MLOPS_LOG_LEVEL"] = "info"
    environment["MLOPS_JOB_LEASE_SECONDS"] = "\(Self.leaseSeconds)"
    environment["TMPDIR"] = data.appending(path: "tmp").path
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    process.arguments = ["serve"]
    process.environment = environment
    let log = try FileHandle(forWritingTo: logFile)
    log.seekToEndOfFile()
    process.standardOutput = log
    process.standardError = log
    process.standardInput = FileHandle.nullDevice
    try process.run()
    serve = process
    let deadline = ContinuousClock.now + .seconds(120)
    while ContinuousClock.now < deadline {
      guard process.isRunning else { throw ValidationError("mlops serve exited early") }
      if let reply = try? await http.execute(
        HTTPClientRequest(url: server.appending(path: "readyz").absoluteString), timeout: .seconds(2)),
        reply.status == .ok
      {
        return
      }
      try await Task.sleep(for: .milliseconds(100))
    }
    throw ValidationError("mlops serve was not ready in 120 s")
  }

  /// `kill -9` of serve's process group and of the postmaster (which `pg_ctl` starts in a
  /// session of its own): the whole machine's processes gone at once.
  func killEverything() throws -> pid_t {
    guard let serve else { throw ValidationError("serve is not running") }
    let group = serve.processIdentifier
    let postmaster = try embedded.postmasterPID()
    kill(-group, SIGKILL)
    if let postmaster { kill(postmaster, SIGKILL) }
    serve.waitUntilExit()
    self.serve = nil
    return group
  }

  func tearDown(keepingData: Bool) {
    if let serve, serve.isRunning {
      serve.terminate()
      let deadline = Date().addingTimeInterval(30)
      while serve.isRunning, Date() < deadline { usleep(100_000) }
      // A serve that does not drain in 30 s (a step stuck on a call) is killed, group and all.
      if serve.isRunning { kill(-serve.processIdentifier, SIGKILL) }
      serve.waitUntilExit()
    }
    if let postmaster = try? embedded.postmasterPID() { kill(postmaster, SIGKILL) }
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
    if serve == nil { try await start() }
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
    switch scenario {
    case "serve":
      let landed = try await waitForStep(thread, step)
      row.landed[landed, default: 0] += 1
      let group = try killEverything()
      row.kills += 1
      // Nothing of the killed process may live on (validators under `timeout` included).
      try await Task.sleep(for: .seconds(1))
      if kill(-group, 0) == 0 { row.orphans += 1 }
      try await start()
    default:
      try await Task.sleep(for: .milliseconds(Int.random(in: 0...1_500)))
      let landed = try await node(of: thread)
      row.landed[landed, default: 0] += 1
      try await restartPostgres()
      row.kills += 1
    }
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
    let order = ["gate_hitl", "codegen", "validators", "rationale_compile", "diff_and_persist"]
    let target = order.firstIndex(of: step) ?? 1
    let deadline = ContinuousClock.now + .seconds(120)
    return try await withDatabase { client in
      while ContinuousClock.now < deadline {
        let current = try await self.node(of: thread, on: client)
        if current == "completed" { return current }
        if let index = order.firstIndex(of: current), index >= target {
          // A random moment within the step's usual length (it is already a poll's length in).
          let usual = self.stepMilliseconds[step] ?? 0
          if usual > 2 { try await Task.sleep(for: .microseconds(Int.random(in: 0..<(usual * 800)))) }
          return try await self.node(of: thread, on: client)
        }
      }
      throw ValidationError("the run never reached \(step)")
    }
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
