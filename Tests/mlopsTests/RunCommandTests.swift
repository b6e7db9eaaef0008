import Foundation
import PostgresNIO
import TestSupport
import Testing

/// `mlops run` as a person or a script uses it: against an API process whose runs a separate
/// worker process advances with the test nodes (which ask one question and stop at the gate).
@Suite(.serialized) struct RunCommandTests {
  /// An API process and a test worker on a fresh database; `body` gets the server URL.
  static func withStack(
    apiEnvironment: [String: String] = [:], workerArguments: [String] = [],
    _ body: @Sendable (String, PostgresClient, URL) async throws -> Void
  ) async throws {
    try await TestDatabase.withFreshDatabase { client, url in
      let directory = try ServeTests.scratchDirectory()
      defer { try? FileManager.default.removeItem(at: directory) }
      let ports = try TopologyPorts()
      var environment = ports.environment.merging(apiEnvironment) { _, new in new }
      environment["DATABASE_URL"] = url.connectionString
      let api = try MLOpsProcess(["edge", "--role", "api"], environment: environment, workingDirectory: directory)
      let up = await HTTP.waitFor200("\(ports.baseURL)/healthz", timeout: .seconds(30)) { api.process.isRunning }
      try #require(up != nil, "\(api.errors)")
      try await client.query(PostgresQuery(unsafeSQL: TestNodeBook.effectsTable), logger: TestDatabase.logger)
      let worker = try MLOpsProcess(
        ["--concurrency", "2", "--ask-questions"] + workerArguments, environment: ["DATABASE_URL": url.connectionString],
        workingDirectory: directory, binary: MLOpsProcess.testWorkerBinary)
      try FileManager.default.createDirectory(at: directory.appending(path: "work"), withIntermediateDirectories: true)
      try "Score card fraud online, p95 under 100 ms, EU only.".write(
        to: directory.appending(path: "brief.txt"), atomically: true, encoding: .utf8)
      try await body(ports.baseURL, client, directory)
      #expect(await worker.terminate() == 0)
      #expect(await api.terminate() == 0)
    }
  }

  static func run(_ arguments: [String], server: String, in directory: URL, input: String? = nil) async throws -> MLOpsProcess {
    let process = try MLOpsProcess(
      ["run", "--server", server] + arguments, environment: [:], workingDirectory: directory, input: input)
    // A first run in a new cache builds the bundle's venv (about a minute, longer under load).
    _ = await process.waitForExit(timeout: .seconds(600))
    return process
  }

  /// Each node's card, as `mlops run` shows it: `[ k/12 node ...`.
  static func cardLines(_ output: String) -> [String] {
    output.split(separator: "\n").filter { $0.range(of: #"^\[ ?\d+/12 "#, options: .regularExpression) != nil }
      .filter { !$0.contains(" cost: ") && !$0.contains(" policy: ") }.map(String.init)
  }

  @Test func aScriptedRunAnswersApprovesAndExitsZeroOnCompletion() async throws {
    try await Self.withStack { server, client, directory in
      let run = try await Self.run(
        ["--project", "fraud", "--answer", "q-budget=5000", "--approve", "--comment", "ship it", "--no-input", "brief.txt"],
        server: server, in: directory)
      #expect(run.process.terminationStatus == 0, "\(run.output)\n\(run.errors)")
      let output = run.output
      #expect(output.contains("Submitted decision set"))
      #expect(output.contains("[ 1/12 intake_extract"))
      #expect(output.contains("[12/12 diff_and_persist"))
      #expect(output.contains("waiting for approval"))
      #expect(output.contains("run completed"))
      #expect(output.contains("submission → gate"), "times from submission to the gate and from approval to the end")
      // The coverage check runs again after the answer: every other node once.
      let cards = Self.cardLines(output)
      #expect(cards.count == 13, "\(cards.joined(separator: "\n"))")
      let comment = try await Fixtures.count("SELECT count(*) FROM approvals WHERE comment = 'ship it'", on: client)
      #expect(comment == 1)
      // Each POST went with an Idempotency-Key (project, brief, answer, approval), so a retry
      // after a lost answer would not do it twice.
      #expect(try await Fixtures.count("SELECT count(*) FROM idempotency_keys WHERE status IS NOT NULL", on: client) == 4)
      // The named project was created once and is found again by name.
      let again = try await Self.run(
        ["--project", "fraud", "--answer", "q-budget=1", "--reject", "--no-input", "brief.txt"], server: server, in: directory)
      #expect(again.process.terminationStatus == 2, "a rejected run exits 2: \(again.output)\(again.errors)")
      #expect(try await Fixtures.count("SELECT count(*) FROM projects WHERE name = 'fraud'", on: client) == 1)
    }
  }

  @Test func aPersonAnswersAndApprovesAtThePrompt() async throws {
    try await Self.withStack { server, client, directory in
      let run = try await Self.run(["brief.txt"], server: server, in: directory, input: "5000\nmaybe\ny\nlooks right\n")
      #expect(run.process.terminationStatus == 0, "\(run.output)\n\(run.errors)")
      #expect(run.output.contains("What is the monthly budget?"))
      #expect(run.output.contains("answer y, n or e"), "an unclear reply is asked again")
      #expect(try await Fixtures.count("SELECT count(*) FROM approvals WHERE comment = 'looks right'", on: client) == 1)
    }
  }

  @Test func withNoInputAMissingAnswerNamesTheFlagAndFails() async throws {
    try await Self.withStack { server, _, directory in
      let run = try await Self.run(["--no-input", "--approve", "brief.txt"], server: server, in: directory)
      #expect(run.process.terminationStatus != 0)
      #expect(run.errors.contains("--answer q-budget=VALUE"), "\(run.errors)")
    }
  }

  @Test func aStreamThatClosesMidRunIsResumedWithoutLossOrRepeat() async throws {
    // Streams end after one second while intake waits two, so the run spans several streams.
    try await Self.withStack(
      apiEnvironment: ["MLOPS_SSE_MAX_SECONDS": "1"], workerArguments: ["--slow-node", "planner", "--slow-ms", "2500"]
    ) { server, _, directory in
      let run = try await Self.run(
        ["--answer", "q-budget=5000", "--approve", "--no-input", "brief.txt"], server: server, in: directory)
      #expect(run.process.terminationStatus == 0, "\(run.output)\n\(run.errors)")
      let cards = Self.cardLines(run.output)
      #expect(cards.count == 13, "every card once: \(cards.joined(separator: "\n"))")
      #expect(cards.filter { $0.contains(" planner ") }.count == 1)
    }
  }

  /// `mlops serve` with the real services on a fresh database, ready, with the churn brief in
  /// its folder; `prepare` adds to the folder before it starts and returns extra environment.
  static func withServe(
    prepare: @Sendable (URL) throws -> [String: String] = { _ in [:] },
    _ body: @Sendable (String, URL, MLOpsProcess) async throws -> Void
  ) async throws {
    try await TestDatabase.withFreshDatabase { _, url in
      let directory = try ServeTests.scratchDirectory()
      defer { try? FileManager.default.removeItem(at: directory) }
      let ports = try TopologyPorts()
      var environment = ports.environment.merging(try prepare(directory)) { _, new in new }
      environment["DATABASE_URL"] = url.connectionString
      let serve = try MLOpsProcess(["serve"], environment: environment, workingDirectory: directory)
      let ready = await HTTP.waitFor200("\(ports.baseURL)/readyz", timeout: .seconds(60)) { serve.process.isRunning }
      try #require(ready != nil, "\(serve.errors)")
      try "Churn prediction for our telecom customers, online via API, p95 under 150 ms, 300 requests per second, EU only."
        .write(to: directory.appending(path: "brief.txt"), atomically: true, encoding: .utf8)
      try await body(ports.baseURL, directory, serve)
    }
  }

  /// Against `mlops serve` with the real services: the API and the worker share one process
  /// and one connection pool, and the run goes through the questions and the gate.
  @Test func aRunAgainstServeGoesThroughEveryNode() async throws {
    try await Self.withServe { baseURL, directory, serve in
      let run = try await Self.run(
        ["--answer", "data_class=confidential", "--answer", "monthly_budget=1k_5k", "--approve", "--no-input", "brief.txt"],
        server: baseURL, in: directory)
      // Every node runs: codegen, the validators, the rationale, and the versioned publish.
      #expect(run.process.terminationStatus == 0, "\(run.output)\n\(run.errors)\n\(serve.errors.suffix(2000))")
      #expect(run.output.contains("[ 8/12 gate_hitl"))
      #expect(run.output.contains("cost: $"))
      #expect(run.output.contains("policy: pass"))
      #expect(run.output.contains("codegen"), "\(run.output)")
      #expect(run.output.contains("validators"), "\(run.output)")
      #expect(run.output.contains("artifact      v1 bundle "), "\(run.output)")
      #expect(run.output.contains("/downloads/projects/"), "\(run.output)")
      #expect(run.output.contains("[12/12 diff_and_persist"), "\(run.output)")
      #expect(run.output.contains("run completed"), "\(run.output)")
      #expect(await serve.terminate() == 0)
    }
  }

  /// A throughput no option reaches: the planner asks to relax it instead of handing a plan
  /// with a hole to the critics; the answer is taken and the run reaches the gate with a
  /// whole plan, scaled out.
  @Test func aConstraintThatRulesOutEveryOptionIsAskedToBeRelaxed() async throws {
    try await Self.withServe { baseURL, directory, serve in
      try
        "Fraud scoring for card payments, online via API, p95 under 100 ms, 500,000 requests per second, US only, internal data, budget $40k a month."
        .write(to: directory.appending(path: "huge.txt"), atomically: true, encoding: .utf8)
      let run = try await Self.run(
        ["--answer", "relax_throughput_rps=50000", "--reject", "--no-input", "huge.txt"], server: baseURL, in: directory)
      #expect(run.process.terminationStatus == 2, "rejected at the gate: \(run.output)\n\(run.errors)")
      #expect(run.output.contains("ask to relax throughput_rps before planning further"), "\(run.output)")
      #expect(run.output.contains("throughput_rps is what keeps most of them out"), "\(run.output)")
      #expect(run.output.contains("gate_hitl"), "\(run.output)")
      #expect(run.output.components(separatedBy: "critic_tech ").count == 2, "the critics ran once, after the answer")
      #expect(run.output.contains("1000 instance(s) all month"), "the serving scaled out: \(run.output)")
      #expect(await serve.terminate() == 0)
    }
  }

  /// The churn brief's run with its questions answered ahead and `flags` given for the gate,
  /// where it is rejected.
  static func rejectedAtTheGate(after flags: [String], server: String, in directory: URL) async throws -> MLOpsProcess {
    try await run(
      ["--answer", "data_class=confidential", "--answer", "monthly_budget=1k_5k"] + flags + [
        "--reject", "--no-input", "brief.txt",
      ],
      server: server, in: directory)
  }

  /// A constraint corrected at the gate: the run plans again within the version, the
  /// planner's card says what changed and how the plan moved, the cost card what it did to
  /// the estimate, and the run comes back to the gate.
  @Test func aConstraintCorrectedAtTheGateIsPlannedAgain() async throws {
    try await Self.withServe { baseURL, directory, serve in
      let run = try await Self.rejectedAtTheGate(after: ["--correct", "inference_mode=batch"], server: baseURL, in: directory)
      #expect(run.process.terminationStatus == 2, "rejected at the gate: \(run.output)\n\(run.errors)")
      #expect(run.output.contains("corrected inference_mode=batch; planning again"), "\(run.output)")
      #expect(run.output.contains("corrected inference_mode: online → batch"), "\(run.output)")
      #expect(
        run.output.contains("The plan moved: feature elasticache_redis → s3_offline_features, serve ecs_fargate_ser"),
        "\(run.output)")
      #expect(run.output.contains("After the correction: $"), "\(run.output)")
      #expect(run.output.components(separatedBy: "gate_hitl ").count == 3, "the gate was reached twice")
      #expect(await serve.terminate() == 0)
    }
  }

  /// Another candidate picked at the gate: the critics and policy run again on the changed
  /// plan, and the planner's card puts the person's pick beside its own, with both scores.
  @Test func aCandidatePickedAtTheGateIsReviewedAgain() async throws {
    try await Self.withServe { baseURL, directory, serve in
      let run = try await Self.rejectedAtTheGate(
        after: ["--choose", "serve=sagemaker_realtime_endpoint"], server: baseURL, in: directory)
      #expect(run.process.terminationStatus == 2, "rejected at the gate: \(run.output)\n\(run.errors)")
      #expect(run.output.contains("chose serve=sagemaker_realtime_endpoint; reviewing again"), "\(run.output)")
      #expect(
        run.output.contains("Planned again after local-user chose sagemaker_realtime_endpoint (score 0."), "\(run.output)")
      #expect(run.output.contains("SageMaker real-time endpoint (ml.c6i.large, 2+ instances), 8 components"), "\(run.output)")
      #expect(run.output.components(separatedBy: "critic_tech ").count == 3, "the critics ran again")
      #expect(await serve.terminate() == 0)
    }
  }

  /// A pick that is not one of the planner's allowed candidates is refused, naming them.
  @Test func aPickThatIsNotACandidateIsRefused() async throws {
    try await Self.withServe { baseURL, directory, serve in
      let run = try await Self.rejectedAtTheGate(after: ["--choose", "serve=msk_kafka"], server: baseURL, in: directory)
      #expect(run.process.terminationStatus != 0)
      #expect(run.errors.contains("not_a_candidate"), "\(run.output)\n\(run.errors)")
      #expect(run.errors.contains("pick one of ecs_fargate_service"), "\(run.errors)")
      #expect(await serve.terminate() == 0)
    }
  }

  /// An `--answer` that is not one of the question's options stops the run with the choices
  /// named; the client does not take it for a dropped stream and wait for ever.
  @Test func anUnusableScriptedAnswerNamesTheChoicesAndFails() async throws {
    try await Self.withServe { baseURL, directory, serve in
      let run = try MLOpsProcess(
        [
          "run", "--server", baseURL, "--answer", "data_class=confidential", "--answer", "monthly_budget=3000",
          "--approve", "--no-input", "brief.txt",
        ], environment: [:], workingDirectory: directory)
      let started = ContinuousClock.now
      let status = await run.waitForExit(timeout: .seconds(60))
      #expect(ContinuousClock.now - started < .seconds(55), "the run waited instead of failing")
      #expect(status != 0)
      #expect(run.errors.contains("--answer monthly_budget=3000"), "\(run.errors)")
      #expect(run.errors.contains("1k_5k"), "\(run.errors)")
      #expect(await serve.terminate() == 0)
    }
  }

  /// A secret in a template reaches the generated repository; the scan catches it, nothing is
  /// published, and the run fails naming the file and the rule.
  @Test func aSecretSeededInATemplateBlocksPublishing() async throws {
    let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
      .appending(path: "Sources/Codegen/Resources/templates")
    let prepare: @Sendable (URL) throws -> [String: String] = { directory in
      let templates = directory.appending(path: "templates")
      try FileManager.default.copyItem(at: source, to: templates)
      let settings = templates.appending(path: "services/inference/app/settings.py.mustache")
      var text = try String(contentsOf: settings, encoding: .utf8)
      text += "\n\nDEPLOY_KEY = \"" + "AKIA" + "QYLPMN5HFIQR7XYZ" + "\"\n"  // assembled so this file holds no key
      try text.write(to: settings, atomically: true, encoding: .utf8)
      // The default data folder, where `mlops run` finds the local issuer's key.
      return ["MLOPS_TEMPLATES_DIR": templates.path, "MLOPS_DATA_DIR": directory.appending(path: ".mlops").path]
    }
    try await Self.withServe(prepare: prepare) { baseURL, directory, serve in
      let run = try await Self.run(
        ["--answer", "data_class=confidential", "--answer", "monthly_budget=1k_5k", "--approve", "--no-input", "brief.txt"],
        server: baseURL, in: directory)
      #expect(run.process.terminationStatus == 1, "\(run.output)\n\(run.errors)")
      #expect(
        run.output.contains("run failed: publishing blocked: secret-scan: services/inference/app/settings.py:"),
        "only the secret scan fails (the seeded line is formatted and typed):\n\(run.output)")
      #expect(run.output.contains("[aws-access-key-id]"), "\(run.output)")
      #expect(run.output.contains("artifacts     none published"), "\(run.output)")
      let stored = try FileManager.default.subpathsOfDirectory(atPath: directory.appending(path: ".mlops/artifacts").path)
      #expect(!stored.contains { $0.contains("/bundles/") }, "only the staged files, nothing published: \(stored)")
      #expect(await serve.terminate() == 0)
    }
  }

  @Test func anUnreachableServerExitsFour() async throws {
    let directory = try ServeTests.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try "brief".write(to: directory.appending(path: "brief.txt"), atomically: true, encoding: .utf8)
    let port = try TopologyPorts().http
    let run = try await Self.run(["brief.txt"], server: "http://127.0.0.1:\(port)", in: directory)
    #expect(run.process.terminationStatus == 4, "\(run.errors)")
    #expect(run.errors.contains("cannot reach"))
  }
}
