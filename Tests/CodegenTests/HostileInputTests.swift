import Codegen
import Contracts
import Foundation
import Testing

/// Values from people and models that try to become code: each lands in every text field a
/// generated repository carries, and the repository must parse in each of its languages with
/// the same structure as one generated from plain values, the text only ever as data.
@Suite(.serialized) struct HostileInputTests {
  static let canary = FileManager.default.temporaryDirectory.appending(path: "mlops-hostile-canary").path

  /// Every quote kind, line breaks, NUL-free control characters, template and shell syntax of
  /// each generated language, YAML and HCL specials, bidi overrides, and a long string.
  static var corpus: [String] {
    [
      "x\"\"\"\nimport os; os.system('touch \(canary)')\n\"\"\"",
      "x'''\n__import__('os').system('touch \(canary)')\n'''",
      "a\"b'c`d",
      "line\nbreak\r\nand\rreturn",
      "{{ project }} {{{raw}}} {{#x}}y{{/x}}",
      "${file(\"/etc/passwd\")} %{ if true }x%{ endif }",
      "$(touch \(canary)) `touch \(canary)`",
      "<script>alert(1)</script> <img src=x onerror=alert(1)>",
      "key: value\n- item\n&anchor *alias !!python/object/apply:os.system ['touch \(canary)']",
      "${{ github.token }} ${{ secrets.AWS }}",
      "EOT\n<<EOT\nresource \"null_resource\" \"x\" {}\nEOT",
      "\u{202E}evil\u{202D} \u{2066}iso\u{2069} zero\u{200B}width \u{FEFF}bom",
      "tab\there \u{1B}[31mred\u{1B}[0m \u{7F} \u{85}next\u{2028}sep",
      "back\\slash\\ \\n \\\" \\u0041 \\",
      "# heading\n| a | b |\n[link](javascript:alert(1))",
      String(repeating: "A\"'\n", count: 2_500),
    ]
  }

  /// Puts `text` into every field of the request that a person or a model fills.
  static func request(_ text: String) async throws -> Mlops_V1_GenerateRequest {
    var request = try await CodegenFixtures.request("fraud-online-pii")
    request.projectName = String(text.prefix(InputLimits.projectNameCharacters))
    request.approval.comment = text
    request.approval.inlineComments = [
      .with {
        $0.path = "docs/architecture.md"; $0.text = text
      }
    ]
    request.constraints.reviewNotes = [.with { $0.value = text }, .with { $0.value = "docs/architecture.md: " + text }]
    request.constraints.stackPreferences.values = [String(text.prefix(InputLimits.stackPreferenceCharacters))]
    request.plan.summary = text
    request.constraintEdits = [
      .with {
        $0.changes = [text]; $0.editedBy = text; $0.comment = text; $0.at = "gate_hitl"
      }
    ]
    request.candidateChoices = [
      .with {
        $0.capability = "serve"; $0.option = "ecs_fargate_service"; $0.chosenBy = text; $0.comment = text
      }
    ]
    for index in request.plan.components.indices { request.plan.components[index].displayName = String(text.prefix(500)) }
    for index in request.reasonCards.indices {
      request.reasonCards[index].rationale = text
      request.reasonCards[index].choice = text
      request.reasonCards[index].risks = [text]
      request.reasonCards[index].quotedComments = [text]
      request.reasonCards[index].policySummary = text
      request.reasonCards[index].costSummary = text
      for candidate in request.reasonCards[index].candidates.indices {
        request.reasonCards[index].candidates[candidate].reasons = [String(text.prefix(500))]
      }
    }
    for index in request.technicalReview.findings.indices {
      request.technicalReview.findings[index].message = text
      request.technicalReview.findings[index].recommendation = text
    }
    for index in request.policy.results.indices {
      request.policy.results[index].message = text
      request.policy.results[index].remedy = text
    }
    for index in request.cost.breakdown.indices {
      request.cost.breakdown[index].item = String(text.prefix(500))
      request.cost.breakdown[index].assumption = text
    }
    request.cost.assumptions = [text]
    return request
  }

  static var root: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  }

  /// Python's own parsers on both folders: the hostile repository must parse everywhere the
  /// plain one does, with the same Python syntax tree once string constants are masked, the
  /// same YAML and JSON shapes once scalars are masked, and the same number of lines.
  static let structureScript = #"""
    import ast, json, pathlib, sys, tomllib, yaml

    def py(text):
        tree = ast.parse(text)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                node.value = "<s>"
            if isinstance(node, ast.JoinedStr):
                node.values = []
        return ast.dump(tree)

    def shape(value):
        if isinstance(value, dict):
            return {str(k) if not isinstance(k, str) or "<" in k else k: shape(v) for k, v in value.items()}
        if isinstance(value, list):
            return [shape(v) for v in value]
        return type(value).__name__

    def structure(path):
        text = path.read_text()
        if path.suffix == ".py":
            return py(text)
        if path.suffix in (".yml", ".yaml"):
            return shape(yaml.safe_load(text))
        if path.suffix == ".json":
            return shape(json.loads(text))
        if path.suffix == ".toml":
            return shape(tomllib.loads(text))
        return None

    plain, hostile = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    problems = []
    for a in sorted(p for p in plain.rglob("*") if p.is_file()):
        rel = a.relative_to(plain)
        b = hostile / rel
        if not b.exists():
            problems.append(f"{rel}: missing"); continue
        try:
            sb = structure(b)
        except Exception as error:
            problems.append(f"{rel}: does not parse: {error!r}"[:300]); continue
        if structure(a) != sb:
            problems.append(f"{rel}: structure differs")
        la, lb = a.read_text().count("\n"), b.read_text().count("\n")
        if la != lb:
            problems.append(f"{rel}: {lb} lines, {la} with plain values")
    print("\n".join(problems))
    """#

  static func write(_ files: [Mlops_V1_GeneratedFile]) throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appending(path: "mlops-hostile-\(UUID().uuidString)")
    try CodegenFixtures.write(files, to: folder)
    return folder
  }

  static func run(_ arguments: [String], in directory: URL? = nil) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: arguments[0])
    process.arguments = Array(arguments.dropFirst())
    if let directory { process.currentDirectoryURL = directory }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }

  @Test func everyGeneratedLanguageKeepsHostileTextAsData() async throws {
    let generator = try RepositoryGenerator()
    let plain = try Self.write(try generator.generate(try await Self.request("plain value")).files)
    defer { try? FileManager.default.removeItem(at: plain) }
    let python = Self.root.appending(path: ".venv/bin/python").path
    let terraform = ["/usr/local/bin/terraform", "/usr/bin/terraform"].first { FileManager.default.isExecutableFile(atPath: $0) }
    for (index, payload) in Self.corpus.enumerated() {
      let request = try await Self.request(payload)
      // A payload with C0 control characters is refused at every door (see the limits
      // tests); it is generated here anyway, to hold the encoders to it too.
      let hostile = try Self.write(try generator.generate(request).files)
      defer { try? FileManager.default.removeItem(at: hostile) }
      let result = try Self.run([python, "-c", Self.structureScript, plain.path, hostile.path])
      #expect(
        result.status == 0 && result.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
        "payload \(index): \(result.output)")
      let ruff = try Self.run([Self.root.appending(path: ".venv/bin/ruff").path, "format", "--diff", "--no-cache", hostile.path])
      #expect(ruff.status == 0, "payload \(index): ruff format: \(ruff.output)")
      if let terraform {
        let format = try Self.run(
          [terraform, "fmt", "-check", "-recursive", "-no-color"], in: hostile.appending(path: "infra/terraform"))
        #expect(format.status == 0, "payload \(index): terraform fmt: \(format.output)")
      }
    }
    #expect(!FileManager.default.fileExists(atPath: Self.canary))
  }

  /// Raw output (`{{{…}}}`, `{{&…}}`) is kept for code the generator writes itself; a new raw
  /// key must be added here only after checking that no person's or model's text reaches it.
  static let generatorMadeRawKeys: Set<String> = [
    "example_request", "other_request", "train_input_default", "train_output_default", "model_uri_default",
    "kms_key_arn", "iam_services_hcl", "serving_model_uri_hcl",
    // The dataset schema and what is derived from it (request fields, the packages' pins)
    // are the generator's constants, chosen by the problem type and the stack only.
    "schema_json", "request_fields", "user_fields", "item_fields", "service_dependencies_toml",
    "training_dependencies_toml",
    // Built from validated region codes, each encoded as an HCL string, and from component
    // ids reduced to `[A-Za-z0-9_]`.
    "allowed_regions_hcl", "bucket_arns_hcl", "az_names_hcl", "data_bucket", "data_bucket_arn", "feature_bucket",
    "landing_bucket",
    // Lists of fixed words (zone letters, AWS API names, image names), HCL-encoded, and
    // module references the generator names.
    "az_letters_hcl", "interface_endpoints_hcl", "ecr_repositories_hcl", "stream_arn",
  ]

  @Test func rawTemplateOutputCarriesOnlyGeneratorMadeValues() throws {
    let folder = Self.root.appending(path: "Sources/Codegen/Resources/templates")
    let enumerator = try #require(FileManager.default.enumerator(atPath: folder.path))
    var raw: Set<String> = []
    for case let relative as String in enumerator where relative.hasSuffix(".mustache") {
      let text = try String(contentsOf: folder.appending(path: relative), encoding: .utf8)
      #expect(!text.contains("CONTENT_TYPE: TEXT"), "\(relative) turns encoding off")
      for match in text.matches(of: /\{\{\{\s*([a-z_]+)\s*\}\}\}|\{\{&\s*([a-z_]+)\s*\}\}/) {
        raw.insert(String(match.1 ?? match.2 ?? ""))
      }
    }
    #expect(raw.count == Self.generatorMadeRawKeys.count, "found \(raw.sorted())")
    #expect(raw.isSubset(of: Self.generatorMadeRawKeys), "raw output of \(raw.subtracting(Self.generatorMadeRawKeys).sorted())")
  }

  @Test func identifiersAreSlugsWhateverTheName() async throws {
    let request = try await Self.request("Ünïcödé \"quoted\" name\nwith $(shell) and ../../path")
    let files = try RepositoryGenerator().generate(request).files
    let variables = try #require(files.first { $0.path == "infra/terraform/variables.tf" })
    let text = String(decoding: variables.content, as: UTF8.self)
    let match = try #require(text.firstMatch(of: /variable "project" \{[^}]*default\s+= "([^"]*)"/))
    let slug = String(match.1)
    #expect(
      !slug.isEmpty && slug.count <= 24 && slug.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") },
      "\(slug)")
    for file in files {
      #expect(!file.path.hasPrefix("/") && !file.path.split(separator: "/").contains(".."), "\(file.path)")
    }
  }
}

extension ValidatorSuiteTests {
  /// The whole corpus at once through the real validators (pytest imports the packages that
  /// carry the project name): nothing runs, every validator passes, the canary never appears.
  @Test func theValidatorsRunNothingAHostileValueCarries() async throws {
    try? FileManager.default.removeItem(atPath: HostileInputTests.canary)
    let joined = HostileInputTests.corpus.prefix(12).joined(separator: " ")
    var request = try await HostileInputTests.request(String(joined.prefix(InputLimits.commentCharacters)))
    request.projectName = String(HostileInputTests.corpus[0].prefix(InputLimits.projectNameCharacters))
    let repository = try RepositoryGenerator().generate(request)
    let report = try await ValidatorSuite(configuration: Self.configuration).validate(repository.files)
    #expect(report.passed, "\(Self.summary(report))")
    #expect(!FileManager.default.fileExists(atPath: HostileInputTests.canary), "a payload ran on this machine")
  }
}
