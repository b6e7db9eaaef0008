import Contracts
import Edge
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
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        text = path.read_text()
        rel = path.relative_to(folder)
        try:
            if path.suffix == ".py":
                tree = ast.parse(text)
                for node in ast.walk(tree):
                    if isinstance(node, ast.Constant) and isinstance(node.value, str):
                        node.value = ""
                if "canary" in ast.dump(tree) or "system" in ast.dump(tree):
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
        .post, "/v1/projects", json: try Self.json(["name": String(payload.prefix(200)), "description": payload]))
      let projectID = try #require(project.body["id"] as? String, "\(project)")
      let brief = "Churn prediction for our CRM, online, p95 under 150 ms, 50 requests per second, us-east-1, internal data, $2k a month. " + payload
      let created = try await stack.send(
        .post, "/v1/projects/\(projectID)/decision-sets",
        json: try Self.json([
          "brief": brief,
          "constraints": ["stack_preferences": ["values": [String(payload.prefix(64))]]],
        ]))
      let id = try #require(created.body["id"] as? String, "\(created)")
      #expect(try await stack.drive(id, answers: [:], comment: payload, inlineComments: [["path": payload, "text": payload]]) == "completed")

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
      #expect(process.terminationStatus == 0 && output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "payload \(index): \(output)")
    }
    #expect(!FileManager.default.fileExists(atPath: Self.canary), "a payload ran on this machine")
  }
}
