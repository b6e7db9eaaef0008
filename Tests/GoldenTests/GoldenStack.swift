import Codegen
import Contracts
import Critics
import EdgeAPI
import EdgeRuntime
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Hummingbird
import HummingbirdTesting
import Logging
import Planner
import Policy
import PostgresNIO
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

/// The real services (Planner, Critics, Policy, Codegen over gRPC on a loopback port), the
/// Edge API (its router) and a worker loop (the graph engine with every real node), on a
/// fresh database and a scratch data directory. Validators: the built-in secret scan only;
/// the external tools are covered by the Codegen suite, and they leave the bundle hash alone.
struct GoldenStack: Sendable {
  let api: any TestClientProtocol
  let engine: GraphEngine
  let database: PostgresClient
  /// `Bearer <token>` of the reviewer who creates, submits and approves everything.
  let authorization: String

  static let reviewer = "golden-reviewer"

  static func with(clock: EdgeClock = .system, _ body: @Sendable (GoldenStack) async throws -> Void) async throws {
    try await TestDatabase.withFreshDatabase { database, _ in
      let data = FileManager.default.temporaryDirectory.appending(path: "mlops-golden-\(UUID().uuidString.prefix(8))")
      defer { try? FileManager.default.removeItem(at: data) }
      var configuration = Configuration.defaults
      configuration.dataDirectory = data.path
      var edge = EdgeConfiguration()
      edge.artifacts.downloadSecret = "golden-download-secret"
      let logger = Logger(label: "golden")
      let codegen = CodegenService(
        generator: try RepositoryGenerator(),
        validators: ValidatorSuite(configuration: .init(cacheDirectory: data.appending(path: "cache"), only: [.secretScan])))
      let tls = try LocalCertificateAuthority.ensure(dataDirectory: data.path)
      let host = GRPCServiceHost(
        name: "golden", address: ServiceAddress(host: "127.0.0.1", port: 0), tls: tls,
        services: [PlannerService(), CriticsService(), PolicyService(), codegen], logger: logger)
      try await withThrowingTaskGroup { group in
        group.addTask { try await host.run() }
        let port = try #require(try await host.listeningPort)
        try await withGRPCClient(
          transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: tls.clientSecurity)
        ) { grpc in
          let clients = ServiceClients(
            planner: Mlops_V1_Planner.Client(wrapping: grpc), critics: Mlops_V1_Critics.Client(wrapping: grpc),
            policy: Mlops_V1_Policy.Client(wrapping: grpc), codegen: Mlops_V1_Codegen.Client(wrapping: grpc))
          let nodes = clients.nodes(
            store: try ArtifactStores.make(edge.artifacts, dataDirectory: configuration.dataDirectory),
            repositories: ProjectRepositories(dataDirectory: data.path, client: database, logger: logger),
            versions: VersionStore(client: database, logger: logger),
            projects: ProjectStore(client: database, logger: logger))
          let engine = GraphEngine(
            client: database, nodes: nodes, queue: JobQueue(client: database, logger: logger), logger: logger)
          let migrator = Migrator(client: database, migrations: try Migration.bundled(), logger: logger)
          let router = try EdgeApplication.makeRouter(
            configuration: configuration, edge: edge, database: database, migrator: migrator, downstream: [],
            buildInfo: BuildInfo(version: "golden", gitCommit: "golden", protoSHA256: "golden"), clock: clock,
            logger: logger)
          let token = try await LocalIssuer.load(dataDirectory: data.path).mint(
            subject: reviewer, name: "Golden Reviewer", audience: IdentityConfiguration().audience, ttl: .seconds(3600))
          try await Application(router: router).test(.router) { api in
            try await body(GoldenStack(api: api, engine: engine, database: database, authorization: "Bearer \(token)"))
          }
        }
        group.cancelAll()
      }
    }
  }

  @discardableResult
  func send(_ method: HTTPRequest.Method, _ uri: String, json: String? = nil) async throws -> (
    status: HTTPResponse.Status, body: [String: Any]
  ) {
    var headers: HTTPFields = [.authorization: authorization]
    if json != nil { headers[.contentType] = "application/json" }
    return try await api.execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }) {
      response in
      let object = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
      return (response.status, object)
    }
  }

  /// Submits a brief in a new project; returns the decision set's id. The stack runs only
  /// the secret scan, so its projects allow incomplete bundles (validators.json says so).
  func submit(_ brief: String, project name: String, allowIncompleteBundles: Bool = true) async throws -> String {
    let project = try await send(
      .post, "/v1/projects", json: #"{"name": "\#(name)", "allow_incomplete_bundles": \#(allowIncompleteBundles)}"#)
    let projectID = try #require(project.body["id"] as? String, "\(project)")
    let body = String(decoding: try JSONSerialization.data(withJSONObject: ["brief": brief]), as: UTF8.self)
    let created = try await send(.post, "/v1/projects/\(projectID)/decision-sets", json: body)
    return try #require(created.body["id"] as? String, "\(created)")
  }

  /// Works the queue like a worker until the run waits or ends; answers the questions from
  /// `answers` (by field; otherwise the first choice) and approves at the gate.
  func drive(
    _ id: String, answers: [String: String], comment: String = "Approved for the golden run.",
    inlineComments: [[String: String]] = []
  ) async throws -> String {
    for _ in 0..<12 {
      while let job = try await engine.queue.claim(owner: "golden", limit: 1, lease: .seconds(60)).first {
        _ = try await engine.run(job)
      }
      let detail = try await send(.get, "/v1/decision-sets/\(id)").body
      let status = detail["status"] as? String ?? ""
      switch status {
      case "waiting_for_answers":
        let questions = detail["open_questions"] as? [[String: Any]] ?? []
        let given = questions.map { question -> [String: Any] in
          let field = question["field"] as? String ?? ""
          let options = (question["options"] as? [[String: Any]] ?? []).compactMap { $0["value"] as? String }
          let value = answers[field] ?? options.first ?? "1000"
          return ["question_id": question["id"] as? String ?? "", "value": value]
        }
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["answers": given]), as: UTF8.self)
        let answered = try await send(.post, "/v1/decision-sets/\(id)/answers", json: body)
        try #require(answered.status == .accepted, "\(answered)")
      case "waiting_for_approval":
        var approval: [String: Any] = ["status": "approved", "comment": comment]
        if !inlineComments.isEmpty { approval["inline_comments"] = inlineComments }
        let body = String(decoding: try JSONSerialization.data(withJSONObject: approval), as: UTF8.self)
        let approved = try await send(.post, "/v1/decision-sets/\(id)/approve", json: body)
        try #require(approved.status == .accepted, "\(approved)")
      default:
        return status
      }
    }
    Issue.record("the run of \(id) did not end")
    return "unfinished"
  }

  /// Works the queue like a worker until nothing is left to run, answering and approving
  /// nothing; returns the decision set's status.
  func work(_ id: String) async throws -> String {
    while let job = try await engine.queue.claim(owner: "golden", limit: 1, lease: .seconds(60)).first {
      _ = try await engine.run(job)
    }
    return try await send(.get, "/v1/decision-sets/\(id)").body["status"] as? String ?? ""
  }

  /// A file of the newest bundle published for the decision set.
  func bundleFile(_ id: String, _ path: String) async throws -> String {
    let artifacts = try await send(.get, "/v1/decision-sets/\(id)/artifacts").body["artifacts"] as? [[String: Any]] ?? []
    let newest = try #require(artifacts.max { ($0["version"] as? Int ?? 0) < ($1["version"] as? Int ?? 0) })
    let link = try #require(newest["download_url"] as? String)
    let url = try #require(URLComponents(string: link))
    let zip = try await api.execute(uri: url.path + "?" + (url.percentEncodedQuery ?? ""), method: .get) {
      Data(buffer: $0.body)
    }
    let file = try #require(try BundleArchive.read(zip).first { $0.path == path })
    return String(decoding: file.contents, as: UTF8.self)
  }

  /// The run's final state, from its latest checkpoint.
  func state(_ id: String) async throws -> Mlops_V1_DecisionState {
    let thread = try #require(UUID(uuidString: id))
    return try #require(try await engine.checkpointer.latest(threadID: thread)).state
  }
}
