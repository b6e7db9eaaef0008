import ArgumentParser
import Assembly
import EdgeRuntime
import Foundation
import ServiceKit

struct RunCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Submit a brief and follow its run to the end: Reason Cards, questions, policy, cost, approval.",
    discussion: """
      Exit status: 0 completed, 1 failed, 2 rejected, 3 blocked by policy, 4 the server or \
      its stream could not be reached; 64 for bad arguments.
      """)

  @OptionGroup var options: ServerOptions
  @Option(help: "The project: an id, or a name (created when there is none); by default the brief file's name.")
  var project: String?
  @Option(name: .customLong("answer"), help: "Answer a follow-up question ahead: QUESTION_ID=VALUE (repeatable).")
  var answers: [String] = []
  @Option(
    name: .customLong("correct"),
    help:
      "Correct a constraint at the review gate, before deciding: FIELD=VALUE, an empty VALUE clears it (repeatable); the run plans again."
  )
  var corrections: [String] = []
  @Option(
    name: .customLong("choose"),
    help:
      "Pick another candidate at the review gate, before deciding: CAPABILITY=OPTION (repeatable); critics and policy run again."
  )
  var choices: [String] = []
  @Flag(help: "Approve at the review gate without asking.") var approve = false
  @Flag(help: "Reject at the review gate without asking.") var reject = false
  @Option(help: "A review comment to send with the approval.") var comment: String?
  @Flag(help: "Never prompt: fail when the run needs an answer the flags do not give.") var noInput = false
  @Flag(
    help:
      "Start the whole platform for this run (mlops serve as a child process, embedded PostgreSQL under MLOPS_DATA_DIR) and stop it afterwards."
  )
  var embedded = false
  @Option(help: "Where the finished run's bundle and Change Summary are written.") var out = "mlops-output"
  @Argument(help: "A file holding the brief, or - to read it from standard input.") var brief: String

  /// Names the generated repository and its cloud resources: `examples/churn-prediction.txt`
  /// makes the project `churn-prediction`.
  var projectName: String {
    if let project { return project }
    let stem = URL(fileURLWithPath: brief).deletingPathExtension().lastPathComponent
    return brief == "-" || stem.isEmpty ? "ml-system" : stem
  }

  func validate() throws {
    if approve && reject { throw ValidationError("--approve and --reject exclude each other") }
    if embedded && options.server != nil { throw ValidationError("--embedded starts its own server; leave out --server") }
    do { _ = try AnswerText.pairs(answers) } catch { throw ValidationError("\(error)") }
    do { _ = try CorrectionText.body(corrections) } catch { throw ValidationError("\(error)") }
    do { _ = try AnswerText.pairs(choices) } catch { throw ValidationError("--choose takes CAPABILITY=OPTION: \(error)") }
  }

  func run() async throws {
    let text = try readBrief()
    guard embedded else { return try await follow(text, options: options) }
    let dataDirectory = ProcessInfo.processInfo.environment["MLOPS_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "./.mlops"
    let stack = try EmbeddedStack(dataDirectory: dataDirectory)
    Console.line("starting the platform (mlops serve, data in \(dataDirectory), logs in \(stack.logFile.path)) ...")
    let booting = ContinuousClock.now
    try await stack.start()
    Console.line(String(format: "ready in %.1f s at %@", (ContinuousClock.now - booting).seconds, stack.server.absoluteString))
    var local = options
    local.server = stack.server.absoluteString
    // The platform just started is its own issuer: its key is in the data directory now.
    if local.token == nil { local.token = try await CallerToken.local() }
    do {
      try await follow(text, options: local)
    } catch {
      stack.stop()
      throw error
    }
    stack.stop()
  }

  private func follow(_ text: String, options: ServerOptions) async throws {
    let started = ContinuousClock.now
    let outcome: RunSession.Outcome
    do {
      outcome = try await options.withClient { client in
        let projectID = try await ProjectLookup(client: client).resolve(projectName)
        let created = try await client.send(.POST, "/v1/projects/\(projectID)/decision-sets", json: ["brief": text])
        guard let id = created.fields["id"] as? String else {
          throw APIClient.Failure(
            status: created.status, code: "bad_reply", description: "the server returned no decision set id")
        }
        let renderer = RunRenderer(started: started)
        renderer.submitted(
          id: id, project: projectID, stream: "\(try options.serverURL.absoluteString)/v1/decision-sets/\(id)/stream",
          page: "\(try options.serverURL.absoluteString)/console/decision-sets/\(id)")
        var scripted = RunSession.Scripted(comment: comment)
        for pair in try AnswerText.pairs(answers) { scripted.answers[pair.id] = pair.text }
        scripted.decision = approve ? .approve : reject ? .reject : nil
        scripted.corrections = corrections
        scripted.choices = try AnswerText.pairs(choices).map { ($0.id, $0.text) }
        let session = RunSession(
          client: client, id: id, renderer: renderer,
          prompter: Prompter(interactive: !noInput, briefFromStandardInput: brief == "-"), scripted: scripted)
        let outcome = try await session.follow()
        try await summarize(session, client: client, server: try options.serverURL, started: started)
        return outcome
      }
    } catch let failure as APIClient.Failure where failure.status == 0 {
      FileHandle.standardError.write(Data("mlops run: \(failure)\n".utf8))
      throw ExitCode(4)
    } catch let lost as RunSession.StreamLost {
      FileHandle.standardError.write(Data("mlops run: \(lost)\n".utf8))
      throw ExitCode(4)
    }
    if outcome != .completed { throw ExitCode(outcome.exitCode) }
  }

  private func readBrief() throws -> String {
    let data: Data
    if brief == "-" {
      data = FileHandle.standardInput.readDataToEndOfFile()
    } else {
      guard let contents = FileManager.default.contents(atPath: brief) else {
        throw ValidationError("cannot read the brief file \(brief)")
      }
      data = contents
    }
    let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    guard !text.isEmpty else { throw ValidationError("the brief is empty") }
    return text
  }

  /// Where things are, and how long the person waited for the machine.
  private func summarize(_ session: RunSession, client: APIClient, server url: URL, started: ContinuousClock.Instant) async throws
  {
    let server = url.absoluteString
    let final = try await client.send(.GET, session.path).fields
    Console.line("")
    Console.line("decision set  \(server)\(session.path)  (status \(final["status"] as? String ?? "?"))")
    Console.line("timeline      mlops events \(session.id)")
    let artifacts = (try? await client.send(.GET, "\(session.path)/artifacts").fields["artifacts"]) as? [[String: Any]] ?? []
    if artifacts.isEmpty { Console.line("artifacts     none published") }
    for artifact in artifacts {
      let size = (artifact["size_bytes"] as? Int).map { String(format: "%.1f KiB", Double($0) / 1024) } ?? "?"
      Console.line(
        "artifact      v\(artifact["version"] as? Int ?? 0) bundle \(String((artifact["sha256"] as? String ?? "?").prefix(12))) (\(size), \(artifact["status"] as? String ?? "?"))"
      )
      if let link = artifact["download_url"] as? String {
        Console.line("download      \(link)  (until \(artifact["expires_at"] as? String ?? "?"))")
      }
    }
    if final["status"] as? String == "completed",
      let saved = try await RunOutput(root: URL(fileURLWithPath: out)).save(
        decisionSetPath: session.path, id: session.id, client: client)
    {
      Console.line("bundle        \(saved.folder.path)  (\(saved.files) files; reports in reports/, decisions in docs/)")
      Console.line("changes       \(saved.changeSummary.path)  (\(saved.changedFiles) versioned files changed)")
    }
    var timings: [String] = []
    if let gate = session.gateReached { timings.append(String(format: "submission → gate %.1f s", (gate - started).seconds)) }
    if let approved = session.approved, let finished = session.finished {
      timings.append(String(format: "approval → end %.1f s", (finished - approved).seconds))
    }
    timings.append(String(format: "total %.1f s", (ContinuousClock.now - started).seconds))
    Console.line("timings       " + timings.joined(separator: ", "))
  }
}
