import AsyncHTTPClient
import EdgeAPI
import EdgeRuntime
import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

/// The SSE endpoint over a real HTTP connection (`.live`), with NOTIFY-driven following.
@Suite struct StreamTests {
  struct Frame: Equatable {
    var id: Int64?
    var event: String
    var data: String
  }

  static func frames(_ body: String) -> (retry: Bool, frames: [Frame]) {
    var frames: [Frame] = []
    var retry = false
    for block in body.components(separatedBy: "\n\n") where !block.isEmpty {
      var frame = Frame(id: nil, event: "message", data: "")
      for line in block.split(separator: "\n") {
        if line.hasPrefix("retry: ") { retry = true }
        if line.hasPrefix("id: ") { frame.id = Int64(line.dropFirst(4)) }
        if line.hasPrefix("event: ") { frame.event = String(line.dropFirst(7)) }
        if line.hasPrefix("data: ") { frame.data = String(line.dropFirst(6)) }
      }
      if block.hasPrefix("retry:") { continue }
      frames.append(frame)
    }
    return (retry, frames)
  }

  static func withLiveEdge(
    pingSeconds: Int = 10, maxSeconds: Int = 100,
    _ body: @Sendable (LiveEdge, PostgresClient) async throws -> Void
  ) async throws {
    try await TestDatabase.withFreshDatabase { database, _ in
      var configuration = Configuration.defaults
      let identity = try TestIdentity.make()
      configuration.dataDirectory = identity.dataDirectory
      var edge = EdgeConfiguration()
      edge.streams.pingSeconds = pingSeconds
      edge.streams.maxSeconds = maxSeconds
      let notifications = EventNotifications(client: database, logger: TestDatabase.logger)
      let router = try EdgeApplication.makeRouter(
        configuration: configuration, edge: edge, database: database,
        migrator: Migrator(client: database, migrations: try Migration.bundled(), logger: TestDatabase.logger),
        downstream: [], notifications: notifications, buildInfo: BuildInfo(version: "t", gitCommit: "t", protoSHA256: "t"),
        logger: TestDatabase.logger)
      let auth: HTTPFields = [.authorization: try await identity.bearer()]
      try await Application(router: router, services: [notifications]).test(.live) { client in
        try await body(LiveEdge(client: client, auth: auth), database)
      }
    }
  }

  /// The live client and the Authorization header of the project's creator.
  struct LiveEdge: Sendable {
    let client: any TestClientProtocol
    let auth: HTTPFields

    /// GET with the bearer token (and `headers`), the body collected.
    func get<T>(_ uri: String, headers: HTTPFields = [:], _ read: @escaping (TestResponse) throws -> T) async throws -> T {
      var fields = auth
      fields.append(contentsOf: headers)
      return try await client.execute(uri: uri, method: .get, headers: fields, body: nil, testCallback: read)
    }

    /// A stream ticket for the decision set, from the authorized POST.
    func ticket(_ id: String) async throws -> String {
      let reply = try await client.execute(
        uri: "/v1/decision-sets/\(id)/stream-tickets", method: .post, headers: auth, body: nil
      ) { try JSONSerialization.jsonObject(with: Data(buffer: $0.body)) as? [String: Any] }
      return try #require(reply?["ticket"] as? String)
    }
  }

  static func stream(_ id: String) -> String { "/v1/decision-sets/\(id)/stream" }

  static func createDecisionSet(_ edge: LiveEdge) async throws -> String {
    let client = edge.client
    var headers = edge.auth
    headers[.contentType] = "application/json"
    let project = try await client.execute(
      uri: "/v1/projects", method: .post, headers: headers,
      body: ByteBuffer(string: #"{"name": "p"}"#)
    ) { try JSONSerialization.jsonObject(with: Data(buffer: $0.body)) as? [String: Any] }
    let projectID = try #require(project?["id"] as? String)
    let created = try await client.execute(
      uri: "/v1/projects/\(projectID)/decision-sets", method: .post, headers: headers,
      body: ByteBuffer(string: #"{"brief": "fraud scoring"}"#)
    ) { try JSONSerialization.jsonObject(with: Data(buffer: $0.body)) as? [String: Any] }
    return try #require(created?["id"] as? String)
  }

  /// Drives the run through answers and approval to completion with the test nodes.
  static func runToCompletion(_ id: String, database: PostgresClient) async throws {
    let thread = try #require(UUID(uuidString: id))
    #expect(try await DecisionSetsAPITests.runPendingJob(database) == .waiting(.answers))
    let engine = GraphEngine(
      client: database, nodes: [], queue: JobQueue(client: database, logger: TestDatabase.logger), logger: TestDatabase.logger)
    try await engine.runs.resume(threadID: thread) {
      $0.answers = [
        .with {
          $0.questionID = "q-budget"; $0.value = "3000"
        }
      ]
    }
    #expect(try await DecisionSetsAPITests.runPendingJob(database) == .waiting(.approval))
    try await engine.runs.resume(threadID: thread) { $0.approval.status = .approved }
    #expect(try await DecisionSetsAPITests.runPendingJob(database) == .ended(.completed))
  }

  static func storedEvents(_ id: String, _ database: PostgresClient) async throws -> [(Int64, String)] {
    let rows = try await database.query(
      "SELECT event_id, type FROM events WHERE decision_set_id = \(UUID(uuidString: id)!) ORDER BY event_id",
      logger: TestDatabase.logger)
    var events: [(Int64, String)] = []
    for try await event in rows.decode((Int64, String).self) { events.append(event) }
    return events
  }

  @Test func aFinishedRunReplaysEverythingThenCloses() async throws {
    try await Self.withLiveEdge { client, database in
      let id = try await Self.createDecisionSet(client)
      try await Self.runToCompletion(id, database: database)
      let stored = try await Self.storedEvents(id, database)
      try await client.get(Self.stream(id)) { response in
        #expect(response.status == .ok)
        #expect(response.headers[.contentType] == "text/event-stream")
        let (retry, frames) = Self.frames(String(buffer: response.body))
        #expect(retry)
        #expect(frames.map(\.id) == stored.map { Optional($0.0) })
        #expect(frames.map(\.event) == stored.map(\.1))
        #expect(frames.last?.event == "run-complete")
        #expect(frames.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.data.utf8))) != nil })
      }
    }
  }

  /// A stream ends its connection when it closes, so each test opens one stream, last.
  @Test(arguments: [true, false])
  func lastEventIDResumesWithExactlyTheMissedEvents(asHeader: Bool) async throws {
    try await Self.withLiveEdge { client, database in
      let id = try await Self.createDecisionSet(client)
      try await Self.runToCompletion(id, database: database)
      let stored = try await Self.storedEvents(id, database)
      let cut = stored[4].0
      // EventSource cannot send headers: it opens /streams/{id} with a ticket and ?after=.
      let uri = asHeader ? Self.stream(id) : "/streams/\(id)?ticket=\(try await client.ticket(id))&after=\(cut)"
      let headers: HTTPFields = asHeader ? [.init("Last-Event-ID")!: "\(cut)"] : [:]
      try await client.get(uri, headers: headers) {
        let ids = Self.frames(String(buffer: $0.body)).frames.compactMap(\.id)
        #expect(ids == stored.dropFirst(5).map(\.0))
      }
    }
  }

  @Test func resumingAfterAFinishedRunsLastEventClosesAtOnce() async throws {
    try await Self.withLiveEdge { client, database in
      let id = try await Self.createDecisionSet(client)
      try await Self.runToCompletion(id, database: database)
      let last = try #require(try await Self.storedEvents(id, database).last?.0)
      let started = ContinuousClock.now
      try await client.get(Self.stream(id), headers: [.init("Last-Event-ID")!: "\(last)"]) {
        #expect(Self.frames(String(buffer: $0.body)).frames.isEmpty)
      }
      #expect(ContinuousClock.now - started < .seconds(5), "it must not wait for the maximum duration")
    }
  }

  @Test func aLiveStreamFollowsNewEventsAndPingsWhileIdle() async throws {
    try await Self.withLiveEdge(pingSeconds: 1) { client, database in
      let id = try await Self.createDecisionSet(client)
      // The test framework's client gives a whole response 20 s, which a live stream of a run
      // driven step by step under the full suite's load outlasted: this stream has two minutes.
      let port = try #require(client.client.port)
      var request = HTTPClientRequest(url: "http://localhost:\(port)\(Self.stream(id))")
      for field in client.auth { request.headers.add(name: field.name.canonicalName, value: field.value) }
      let opening = request
      async let streamed: String = {
        let response = try await HTTPClient.shared.execute(opening, timeout: .seconds(120))
        return String(buffer: try await response.body.collect(upTo: 16 << 20))
      }()
      // Idle past one ping interval from the moment the stream holds its lease (it is open
      // then; on a busy machine that can take a while), then produce every event.
      let opened = ContinuousClock.now
      while try await Fixtures.count("SELECT count(*) FROM stream_leases", on: database) == 0,
        ContinuousClock.now - opened < .seconds(30)
      {
        try await Task.sleep(for: .milliseconds(20))
      }
      try await Task.sleep(for: .milliseconds(1600))
      try await Self.runToCompletion(id, database: database)
      let body = try await streamed
      let stored = try await Self.storedEvents(id, database)
      let frames = Self.frames(body).frames
      #expect(frames.contains { $0.event == "ping" })
      let events = frames.filter { $0.event != "ping" }
      #expect(events.map(\.id) == stored.map { Optional($0.0) }, "every event once, in order")
      #expect(events.last?.event == "run-complete")
    }
  }

  @Test func aStreamClosesCleanlyAtItsMaximumDuration() async throws {
    try await Self.withLiveEdge(maxSeconds: 1) { client, database in
      let id = try await Self.createDecisionSet(client)
      #expect(try await DecisionSetsAPITests.runPendingJob(database) == .waiting(.answers))
      let started = ContinuousClock.now
      try await client.get(Self.stream(id)) { response in
        let frames = Self.frames(String(buffer: response.body)).frames
        #expect(frames.last?.event == "gate-waiting")
      }
      let elapsed = ContinuousClock.now - started
      #expect(elapsed >= .milliseconds(900) && elapsed < .seconds(10))
    }
  }

  @Test func unknownDecisionSetIs404() async throws {
    try await Self.withLiveEdge { client, _ in
      try await client.get(Self.stream("9b2f4a1e-0c55-4a8e-9d7e-1f2a3b4c5d6e")) {
        #expect($0.status == .notFound)
      }
    }
  }

  /// No token, a ticket for another decision set, a changed or made-up ticket: 401, and no
  /// event is sent.
  @Test func aStreamWithoutAValidTicketOrTokenIsRefused() async throws {
    try await Self.withLiveEdge { client, _ in
      let id = try await Self.createDecisionSet(client)
      let other = try await Self.createDecisionSet(client)
      let ticket = try await client.ticket(other)
      var tampered = Array(ticket)
      tampered[tampered.count - 1] = tampered.last == "0" ? "1" : "0"
      for uri in [
        "/streams/\(id)", "/streams/\(id)?ticket=\(ticket)", "/streams/\(id)?ticket=\(String(tampered))",
        "/streams/\(id)?ticket=1.x.y",
      ] {
        try await client.client.execute(uri: uri, method: .get) { response in
          #expect(response.status == .unauthorized, "\(uri)")
          #expect(!String(buffer: response.body).contains("event:"))
        }
      }
      try await client.client.execute(uri: Self.stream(id), method: .get) { #expect($0.status == .unauthorized) }
    }
  }
}
