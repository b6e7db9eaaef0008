import Contracts
import EdgeAPI
import EdgeRuntime
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Hostile values through every field a person fills in a whole run, over the API, through
/// the real services, to the published bundle: the run completes, every file parses in its
/// language, the values appear only as data (never in a Python syntax tree once string
/// constants are masked, never as a YAML key), and nothing they try to run ever runs.
@Suite(.serialized) struct HostileRunTests {
  static let canary = FileManager.default.temporaryDirectory.appending(path: "mlops-hostile-run-canary").path

  static var payloads: [String] {
    [
      "x\"\"\"\nimport os; os.system('touch \(canary)')\n\"\"\"",
      "a: b\n- c: ${{ secrets.X }} !!python/object/apply:os.system ['touch \(canary)']",
      "${file(\"/etc/passwd\")} %{ if true }x%{ endif } $(touch \(canary)) `touch \(canary)`",
      "<script>alert(1)</script> # h | c | \u{202E}evil\u{202D} [l](javascript:x) {{x}}",
    ]
  }

  /// Parses what was published; prints one line per problem.
  static let checkScript = #"""
    import ast, json, pathlib, sys, tomllib, yaml, zipfile
    folder = pathlib.Path(sys.argv[2])
    zipfile.ZipFile(sys.argv[1]).extractall(folder)
    problems = []
    # A name or attribute `system` (os.system) is code; `filesystem` is only a word in one.
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        text = path.read_text()
        rel = path.relative_to(folder)
        try:
            if path.suffix == ".py":
                tree = ast.parse(text)
                for node in ast.walk(tree):
                    if isinstance(node, ast.Constant) and isinstance(node.value, str):
                        node.value = ""
                if "canary" in ast.dump(tree) or "'system'" in ast.dump(tree):
                    problems.append(f"{rel}: a value became Python code")
            elif path.suffix in (".yml", ".yaml"):
                def keys(value):
                    if isinstance(value, dict):
                        for k, v in value.items():
                            yield str(k)
                            yield from keys(v)
                    elif isinstance(value, list):
                        for v in value:
                            yield from keys(v)
                if any("canary" in k or "secrets" in k for k in keys(yaml.safe_load(text))):
                    problems.append(f"{rel}: a value became a YAML key")
                if "secrets.X" in text:
                    problems.append(f"{rel}: a GitHub expression reached a workflow")
            elif path.suffix == ".json":
                json.loads(text)
            elif path.suffix == ".toml":
                tomllib.loads(text)
            elif path.suffix == ".md":
                if "<script>" in text:
                    problems.append(f"{rel}: raw HTML in Markdown")
        except Exception as error:
            problems.append(f"{rel}: does not parse: {error!r}"[:300])
    print("\n".join(problems))
    """#

  static var python: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .appending(path: ".venv/bin/python").path
  }

  static func json(_ object: Any) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
  }

  @Test(arguments: 0..<4)
  func aHostileRunPublishesOnlyData(index: Int) async throws {
    let payload = Self.payloads[index]
    try? FileManager.default.removeItem(atPath: Self.canary)
    try await GoldenStack.with { stack in
      let project = try await stack.send(
        .post, "/v1/projects",
        json: try Self.json([
          "name": String(payload.prefix(200)), "description": payload, "allow_incomplete_bundles": true,
        ]))
      let projectID = try #require(project.body["id"] as? String, "\(project)")
      let brief =
        "Churn prediction for our CRM, online, p95 under 150 ms, 50 requests per second, us-east-1, internal data, $2k a month. "
        + payload
      let created = try await stack.send(
        .post, "/v1/projects/\(projectID)/decision-sets",
        json: try Self.json([
          "brief": brief,
          "constraints": ["stack_preferences": ["values": [String(payload.prefix(64))]]],
        ]))
      let id = try #require(created.body["id"] as? String, "\(created)")
      #expect(
        try await stack.drive(id, answers: [:], comment: payload, inlineComments: [["path": payload, "text": payload]])
          == "completed")

      let revision = try await stack.send(
        .post, "/v1/decision-sets/\(id)/revisions", json: try Self.json(["brief_addendum": payload]))
      #expect(revision.status == .accepted, "\(revision)")
      #expect(try await stack.drive(id, answers: [:], comment: payload) == "completed")

      let artifacts = try await stack.send(.get, "/v1/decision-sets/\(id)/artifacts")
      let items = try #require(artifacts.body["artifacts"] as? [[String: Any]], "\(artifacts)")
      #expect(items.count == 2)
      let link = try #require(items.last?["download_url"] as? String)
      let path = try #require(URLComponents(string: link)).path + "?" + (URLComponents(string: link)?.percentEncodedQuery ?? "")
      let zip = try await stack.api.execute(uri: path, method: .get, headers: [:], body: nil) { Data(buffer: $0.body) }
      let folder = FileManager.default.temporaryDirectory.appending(path: "mlops-hostile-run-\(UUID().uuidString)")
      defer { try? FileManager.default.removeItem(at: folder) }
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      let archive = folder.appending(path: "bundle.zip")
      try zip.write(to: archive)
      let process = Process()
      process.executableURL = URL(fileURLWithPath: Self.python)
      process.arguments = ["-c", Self.checkScript, archive.path, folder.appending(path: "bundle").path]
      let pipe = Pipe()
      process.standardOutput = pipe
      process.standardError = pipe
      try process.run()
      let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      process.waitUntilExit()
      #expect(
        process.terminationStatus == 0 && output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
        "payload \(index): \(output)")
    }
    #expect(!FileManager.default.fileExists(atPath: Self.canary), "a payload ran on this machine")
  }

  /// The planner's typed question for a latency, answered with extreme figures over the API:
  /// each is a 422 that names the answer, never a 5xx, and a sane figure then goes through.
  @Test func extremeAnswersToANumberQuestionAre422() async throws {
    try await GoldenStack.with { stack in
      let id = try await stack.submit(
        "Fraud scoring on card payments behind an online API at checkout, 200 requests per second, PII, eu-west-1, $3k a month, retrain weekly.",
        project: "extreme-answers")
      // Round by round until the planner asks for the latency (other questions get their first option).
      var latency: [String: Any]?
      var questions: [[String: Any]] = []
      for _ in 0..<3 where latency == nil {
        while let job = try await stack.engine.queue.claim(owner: "golden", limit: 1, lease: .seconds(60)).first {
          _ = try await stack.engine.run(job)
        }
        let detail = try await stack.send(.get, "/v1/decision-sets/\(id)").body
        try #require(detail["status"] as? String == "waiting_for_answers", "\(detail["status"] ?? "")")
        questions = detail["open_questions"] as? [[String: Any]] ?? []
        latency = questions.first { $0["field"] as? String == "latency_p95_ms" }
        if latency == nil {
          let given = questions.map { question -> [String: Any] in
            let options = (question["options"] as? [[String: Any]] ?? []).compactMap { $0["value"] as? String }
            return ["question_id": question["id"] as? String ?? "", "value": options.first ?? "1"]
          }
          _ = try await stack.send(.post, "/v1/decision-sets/\(id)/answers", json: try Self.json(["answers": given]))
        }
      }
      let question = try #require(latency, "\(questions)")
      let questionID = try #require(question["id"] as? String)
      let others = questions.filter { $0["field"] as? String != "latency_p95_ms" }.map { question -> [String: Any] in
        let options = (question["options"] as? [[String: Any]] ?? []).compactMap { $0["value"] as? String }
        return ["question_id": question["id"] as? String ?? "", "value": options.first ?? "1"]
      }
      for value: Any in ["NaN", "Infinity", "-Infinity", 1e308, -1, 0, "1e400", "", "\u{0}"] {
        let body = try Self.json(["answers": others + [["question_id": questionID, "value": value]]])
        let reply = try await stack.send(.post, "/v1/decision-sets/\(id)/answers", json: body)
        #expect(reply.status == .unprocessableContent, "latency answer \(value): \(reply)")
      }
      let body = try Self.json(["answers": others + [["question_id": questionID, "value": 80]]])
      #expect(try await stack.send(.post, "/v1/decision-sets/\(id)/answers", json: body).status == .accepted)
    }
  }
}
