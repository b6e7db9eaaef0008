import ArgumentParser
import Assembly
import AsyncHTTPClient
import EdgeAPI
import EdgeRuntime
import Foundation
import Logging
import PostgresNIO
import ServiceKit
import Synchronization

/// Many idle streams on one API process, then events committed one by one: how long from the
/// commit to the client reading the event, and what an idle stream costs the API process.
struct SSEBench: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sse",
    abstract: "Commit-to-receipt latency over many concurrent SSE streams, and memory per idle stream.",
    discussion: """
      Starts `mlops edge --role api` as a separate process on the scratch database, opens the \
      streams from this process, measures the API process's resident memory before and after \
      they open, then commits events (each in its own transaction, with NOTIFY, as a worker \
      does) at a steady rate to streams in turn.
      """)

  @Option(help: "Concurrent streams, one decision set each.") var streams = 1000
  @Option(help: "Events to commit.") var events = 2000
  @Option(help: "Events committed per second.") var rate = 200

  func run() async throws {
    let environment = try ProcessEnvironment.load(label: "bench")
    let (streams, events, rate) = (self.streams, self.events, self.rate)
    guard streams > 0, events > 0, rate > 0 else { throw ValidationError("--streams, --events and --rate must be positive") }
    FileDescriptorLimit.raise(toAtLeast: streams * 2 + 256)
    let result = try await BenchDatabase.withScratch(environment: environment) { client, url in
      let (project, ids) = try await GraphBench.threads(streams, client: client, logger: environment.logger)
      // The streams are a member's: the API checks the caller's role on each one, as in use.
      try await client.query(
        """
        INSERT INTO project_members (id, project_id, kind, principal, role)
        VALUES (\(UUID()), \(project), 'user', \(LocalIssuer.defaultUser), 'viewer')
        """, logger: environment.logger)
      let api = try APIProcess.start(databaseURL: url)
      do {
        let result = try await Self.measure(
          api: api, ids: ids, events: events, rate: rate, client: client, logger: environment.logger)
        api.stop()
        return result
      } catch {
        api.stop()
        throw error
      }
    }
    Console.line(
      "sse: \(streams) concurrent streams on one API process; \(events) events at \(rate)/s, one transaction + NOTIFY each")
    let p = Percentiles(result.latencies)
    printTable(
      ["streams", "events", "received", "p50 ms", "p95 ms", "p99 ms", "max ms", "API RSS before MiB", "after MiB", "KiB/stream"],
      [
        [
          String(streams), String(events), String(result.latencies.count), formatted(p.value(50)), formatted(p.value(95)),
          formatted(p.value(99)), formatted(p.value(100)), formatted(Double(result.rssBefore) / 1024, 1),
          formatted(Double(result.rssAfter) / 1024, 1), formatted(result.kibPerStream, 1),
        ]
      ])
    Console.line(
      jsonLine([
        "benchmark": "sse", "streams": streams, "events": events, "received": result.latencies.count,
        "p50_ms": (p.value(50) * 100).rounded() / 100, "p95_ms": (p.value(95) * 100).rounded() / 100,
        "p99_ms": (p.value(99) * 100).rounded() / 100, "kib_per_idle_stream": (result.kibPerStream * 10).rounded() / 10,
        "api_rss_before_kib": result.rssBefore, "api_rss_after_kib": result.rssAfter,
      ]))
    if result.latencies.count != events {
      throw ValidationError("\(events - result.latencies.count) events never reached their stream")
    }
  }

  struct Result: Sendable {
    var latencies: [Double]
    var rssBefore: Int
    var rssAfter: Int
    var kibPerStream: Double { Double(rssAfter - rssBefore) / Double(max(1, streamCount)) }
    var streamCount: Int
  }

  static func measure(
    api: APIProcess, ids: [UUID], events: Int, rate: Int, client: PostgresClient, logger: Logger
  ) async throws -> Result {
    let http = HTTPClient(
      eventLoopGroupProvider: .singleton,
      configuration: .init(
        connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: ids.count + 16)))
    let token = try await LocalIssuer.load(dataDirectory: api.dataDirectory).mint(
      subject: LocalIssuer.defaultUser, audience: IdentityConfiguration().audience, ttl: .seconds(3600))
    let apiClient = APIClient(server: api.url, http: http, token: token)
    let receipts = Receipts()
    let rssBefore = try api.residentKiB()
    do {
      let result = try await withThrowingTaskGroup(of: Void.self) { group in
        for id in ids {
          group.addTask {
            try await apiClient.followEvents("/v1/decision-sets/\(id.lowercaseString)/stream", lastEventID: nil) { event in
              if event.retry != nil { receipts.connected() }
              guard event.event == "reason-card",
                let object = try? JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any],
                let sequence = object["seq"] as? Int
              else { return true }
              receipts.received(sequence, at: .now)
              return true
            }
          }
        }
        // Every stream open and idle, then the API process's memory settles.
        let openDeadline = ContinuousClock.now + .seconds(120)
        while receipts.connections < ids.count {
          guard ContinuousClock.now < openDeadline else {
            throw ValidationError("only \(receipts.connections) of \(ids.count) streams opened in 120 s")
          }
          try await Task.sleep(for: .milliseconds(50))
        }
        try await Task.sleep(for: .seconds(2))
        let rssAfter = try api.residentKiB()

        let insert = EventCommit(client: client, logger: logger)
        let start = ContinuousClock.now
        for sequence in 0..<events {
          try await Task.sleep(until: start + .seconds(Double(sequence) / Double(rate)))
          let id = ids[sequence % ids.count]
          receipts.sent(sequence, at: .now)
          try await insert.commit(decisionSet: id, sequence: sequence)
        }
        let drainDeadline = ContinuousClock.now + .seconds(30)
        while receipts.latencies.count < events, ContinuousClock.now < drainDeadline {
          try await Task.sleep(for: .milliseconds(50))
        }
        group.cancelAll()
        return Result(latencies: receipts.latencies, rssBefore: rssBefore, rssAfter: rssAfter, streamCount: ids.count)
      }
      try? await http.shutdown()
      return result
    } catch {
      try? await http.shutdown()
      throw error
    }
  }
}

/// When each event was committed and when its stream delivered it.
final class Receipts: Sendable {
  private let opened = Atomic<Int>(0)
  private let committed = Mutex<[Int: ContinuousClock.Instant]>([:])
  private let delivered = Mutex<[Double]>([])

  var connections: Int { opened.load(ordering: .relaxed) }
  var latencies: [Double] { delivered.withLock { $0 } }

  func connected() { opened.add(1, ordering: .relaxed) }
  func sent(_ sequence: Int, at instant: ContinuousClock.Instant) { committed.withLock { $0[sequence] = instant } }
  func received(_ sequence: Int, at instant: ContinuousClock.Instant) {
    guard let start = committed.withLock({ $0[sequence] }) else { return }
    delivered.withLock { $0.append((instant - start).milliseconds) }
  }
}

/// One event committed the way the graph engine commits a step's events: its own
/// transaction, with the NOTIFY that wakes the streams.
struct EventCommit {
  let client: PostgresClient
  let logger: Logger

  func commit(decisionSet id: UUID, sequence: Int) async throws {
    let payload = #"{"seq": \#(sequence)}"#
    try await client.query(
      """
      WITH inserted AS (
        INSERT INTO events (decision_set_id, project_id, type, payload)
        SELECT id, project_id, 'reason-card', \(payload)::jsonb FROM decision_sets WHERE id = \(id)
        RETURNING decision_set_id
      )
      SELECT pg_notify(\(GraphEngine.eventsChannel), decision_set_id::text) FROM inserted
      """, logger: logger)
  }
}

/// `mlops edge --role api` as a child process on free ports.
final class APIProcess: Sendable {
  let process: Process
  let url: URL
  /// Its own data folder: the local issuer's key that the benchmark's token is minted with.
  let dataDirectory: String

  static func start(databaseURL: DatabaseURL) throws -> APIProcess {
    let port = try FreePort.find()
    var environment = ProcessInfo.processInfo.environment
    environment["DATABASE_URL"] = databaseURL.connectionString
    environment["MLOPS_HTTP_PORT"] = String(port)
    let dataDirectory = FileManager.default.temporaryDirectory.appending(path: "mlops-bench-sse-\(port)").path
    environment["MLOPS_DATA_DIR"] = dataDirectory
    environment["MLOPS_LOG_LEVEL"] = "warning"
    environment["MLOPS_SSE_MAX_SECONDS"] = "3600"
    environment["MLOPS_SSE_PING_SECONDS"] = "30"
    // Every stream of the benchmark comes from this one client and caller, which the API's
    // limits would otherwise stop at 20 streams and a few hundred requests a minute.
    environment["MLOPS_SSE_MAX_STREAMS_PER_CLIENT"] = "100000"
    environment["MLOPS_SSE_MAX_STREAMS"] = "100000"
    environment["MLOPS_SSE_MAX_STREAMS_PER_CALLER"] = "100000"
    environment["MLOPS_RATE_LIMIT_PER_CALLER"] = "1000000"
    environment["MLOPS_RATE_LIMIT_PER_PROJECT"] = "1000000"
    for name in ["PLANNER", "CRITICS", "POLICY", "CODEGEN"] {
      environment["MLOPS_\(name)_ADDR"] = "127.0.0.1:\(try FreePort.find())"
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    process.arguments = ["edge", "--role", "api"]
    process.environment = environment
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let api = APIProcess(process: process, url: URL(string: "http://127.0.0.1:\(port)")!, dataDirectory: dataDirectory)
    try api.waitUntilUp()
    return api
  }

  private init(process: Process, url: URL, dataDirectory: String) {
    self.process = process
    self.url = url
    self.dataDirectory = dataDirectory
  }

  private func waitUntilUp() throws {
    let deadline = Date().addingTimeInterval(60)
    while Date() < deadline {
      guard process.isRunning else { throw ValidationError("mlops edge --role api exited early") }
      if let port = url.port, FreePort.bindError(host: "127.0.0.1", port: port) != nil { return }
      Thread.sleep(forTimeInterval: 0.1)
    }
    throw ValidationError("mlops edge --role api did not listen within 60 s")
  }

  /// The process's resident set size (VmRSS), in KiB.
  func residentKiB() throws -> Int {
    let status = try String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
    guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
      let kib = Int(line.split(separator: " ").dropFirst().first ?? "")
    else { throw ValidationError("no VmRSS for the API process") }
    return kib
  }

  func stop() {
    if process.isRunning {
      process.terminate()
      process.waitUntilExit()
    }
    try? FileManager.default.removeItem(atPath: dataDirectory)
  }
}
