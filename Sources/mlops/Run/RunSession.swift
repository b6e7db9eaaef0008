import Assembly
import Contracts
import EdgeRuntime
import Foundation
import ServiceKit
import SwiftProtobuf

/// One decision set followed from submission to its end: renders the stream, answers the
/// follow-up questions and the approval (from flags, else at the prompt) and reconnects with
/// `Last-Event-ID` when the stream drops, so no event is missed or shown twice.
final class RunSession {
  enum Outcome: Equatable {
    case completed, failed, rejected, blocked

    /// `mlops run`'s exit code: 0 only for a completed run.
    var exitCode: Int32 {
      switch self {
      case .completed: 0
      case .failed: 1
      case .rejected: 2
      case .blocked: 3
      }
    }
  }

  enum Decision {
    case approve, reject, edit
  }

  struct Scripted {
    var answers: [String: String] = [:]
    var decision: Decision?
    var comment: String?
    /// `FIELD=VALUE` corrections sent at the first gate, before the decision.
    var corrections: [String] = []
    /// Candidates picked at the first gate (capability, option), after any corrections.
    var choices: [(String, String)] = []
  }

  struct StreamLost: Error, CustomStringConvertible {
    var description: String
  }

  let client: APIClient
  let id: String
  let renderer: RunRenderer
  let prompter: Prompter
  var scripted: Scripted
  /// Consecutive failed connections before giving up.
  var maxReconnects = 10

  private(set) var lastEventID: String?
  private var reconnectDelay = Duration.seconds(2)
  private(set) var gateReached: ContinuousClock.Instant?
  private(set) var approved: ContinuousClock.Instant?
  private(set) var finished: ContinuousClock.Instant?

  init(client: APIClient, id: String, renderer: RunRenderer, prompter: Prompter, scripted: Scripted) {
    self.client = client
    self.id = id
    self.renderer = renderer
    self.prompter = prompter
    self.scripted = scripted
  }

  var path: String { "/v1/decision-sets/\(id)" }

  func follow() async throws -> Outcome {
    var failures = 0
    while true {
      var outcome: Outcome?
      var received = 0
      do {
        try await client.followEvents("\(path)/stream", lastEventID: lastEventID) { event in
          if let retry = event.retry { reconnectDelay = .milliseconds(retry) }
          guard event.event != "message", event.event != "ping" else { return true }
          received += 1
          failures = 0
          lastEventID = event.id
          outcome = try await handle(event)
          return outcome == nil
        }
      } catch let failure as APIClient.Failure where failure.status != 0 {
        throw failure  // the server answered, and no retry changes its answer
      } catch let error as Prompter.NoOneToAsk {
        throw error
      } catch let error as UnusableAnswer {
        throw error  // the run waits for an answer this client cannot give; following on would wait for ever
      } catch {
        failures += 1
        guard failures <= maxReconnects else {
          throw StreamLost(description: "lost the stream of \(id) and could not reconnect: \(error)")
        }
        renderer.line("stream dropped (\(error)); reconnecting after event \(lastEventID ?? "none")")
      }
      if let outcome {
        finished = .now
        return outcome
      }
      // A clean close at the server's maximum duration reconnects at once; anything else waits.
      if received == 0 || failures > 0 { try await Task.sleep(for: reconnectDelay) }
    }
  }

  private func handle(_ event: ServerSentEvent) async throws -> Outcome? {
    switch event.event {
    case "reason-card":
      renderer.card(try Self.decode(Mlops_V1_ReasonCard.self, event.data))
    case "cost-update":
      renderer.cost(try Self.decode(Mlops_V1_CostEstimate.self, event.data))
    case "policy-update":
      renderer.policy(try Self.decode(Mlops_V1_PolicyReport.self, event.data))
    case "diff-update":
      let change = Self.object(event.data)
      let commit = String((change["commit"] as? String ?? "").prefix(10))
      if let from = change["from"] as? Int, let to = change["to"] as? Int {
        let files = (change["files"] as? [Any])?.count ?? 0
        let delta = (change["cost"] as? [String: Any])?["delta_usd"] as? Double ?? 0
        renderer.line(
          "changes: v\(from) → v\(to): \(files) versioned file(s), cost \(String(format: "%+.2f", delta)) USD/month, commit \(commit)"
        )
      } else {
        renderer.line("changes: v\(change["to"] as? Int ?? 1) is the first version, commit \(commit)")
      }
    case "gate-waiting":
      let waitingFor = Self.object(event.data)["waiting_for"] as? String ?? ""
      if waitingFor == "answers" {
        try await answerQuestions()
      } else {
        gateReached = gateReached ?? .now
        try await decide()
      }
    case "budget-warning":
      renderer.line("budget: \(Self.object(event.data)["message"] as? String ?? event.data)")
    case "run-error":
      let error = Self.object(event.data)["error"] as? String ?? event.data
      renderer.line("run failed: \(error)")
      return .failed
    case "run-complete":
      let status = Self.object(event.data)["status"] as? String ?? ""
      renderer.line("run \(status)")
      switch status {
      case "completed": return .completed
      case "rejected": return .rejected
      case "blocked": return .blocked
      default: return .failed
      }
    default:
      renderer.line("\(event.event): \(RunRenderer.shorten(event.data, to: 160))")
    }
    return nil
  }

  private func answerQuestions() async throws {
    let current = try await client.send(.GET, path)
    let questions = try AnswerText.openQuestions(in: current.fields)
    guard !questions.isEmpty else { return }
    renderer.waiting(for: "answers to \(questions.count) question\(questions.count == 1 ? "" : "s")")
    var answers: [[String: Any]] = []
    for question in questions {
      answers.append(["question_id": question.id, "value": try answer(question)])
    }
    do {
      _ = try await client.send(.POST, "\(path)/answers", json: ["answers": answers], headers: ifMatch(current))
    } catch let failure as APIClient.Failure where failure.code == "not_waiting" || failure.code == "version_mismatch" {
      renderer.line("the answers were not needed any more (\(failure.code)); following on")
    }
  }

  private func answer(_ question: Mlops_V1_Question) throws -> Any {
    if let text = scripted.answers.removeValue(forKey: question.id) {
      do {
        return try AnswerText.value(text, for: question)
      } catch let invalid as AnswerText.Invalid {
        throw UnusableAnswer(description: "--answer \(question.id)=\(text): \(invalid.description)")
      }
    }
    Console.line("  \(question.text)" + (question.unit.isEmpty ? "" : " (\(question.unit))"))
    if !question.why.isEmpty { Console.line("    why: \(question.why)") }
    for (index, option) in question.options.enumerated() {
      Console.line("    \(index + 1). \(option.label.isEmpty ? option.value : "\(option.label) [\(option.value)]")")
    }
    while true {
      let text = try prompter.ask("  \(question.id)> ", flagHint: "--answer \(question.id)=VALUE")
      do {
        return try AnswerText.value(text, for: question)
      } catch let invalid as AnswerText.Invalid {
        Console.line("    \(invalid.description)")
      }
    }
  }

  private func decide() async throws {
    let current = try await client.send(.GET, path)
    renderer.waiting(for: "approval")
    Self.review(current.fields)
    if !scripted.corrections.isEmpty {
      let pairs = scripted.corrections
      scripted.corrections = []
      return try await correct(pairs, current: current)
    }
    if !scripted.choices.isEmpty {
      let picks = Dictionary(scripted.choices, uniquingKeysWith: { _, last in last })
      scripted.choices = []
      do {
        _ = try await client.send(.PATCH, "\(path)/plan", json: ["choices": picks], headers: ifMatch(current))
        renderer.line(
          "chose \(picks.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")); reviewing again")
      } catch let failure as APIClient.Failure where failure.code == "not_waiting" || failure.code == "version_mismatch" {
        renderer.line("the run moved on before the choice (\(failure.code)); following on")
      }
      return
    }
    let decision: Decision
    var comment = scripted.comment
    if let scripted = scripted.decision {
      decision = scripted
    } else {
      decision = try askDecision()
      if decision == .edit { return try await correct(try askCorrections(), current: current) }
      if comment == nil {
        let typed = try prompter.ask("  comment (enter for none)> ", flagHint: "--comment TEXT")
        comment = typed.isEmpty ? nil : typed
      }
    }
    var body: [String: Any] = ["status": decision == .approve ? "approved" : "rejected"]
    if let comment { body["comment"] = comment }
    do {
      _ = try await client.send(.POST, "\(path)/approve", json: body, headers: ifMatch(current))
      approved = decision == .approve ? .now : nil
      renderer.line(decision == .approve ? "approved" : "rejected")
    } catch let failure as APIClient.Failure where failure.code == "not_waiting" || failure.code == "version_mismatch" {
      renderer.line("someone else decided first (\(failure.code)); following on")
    }
  }

  private func askDecision() throws -> Decision {
    while true {
      switch try prompter.ask(
        "  approve this plan? [y]es / [n]o (reject) / [e]dit the constraints> ", flagHint: "--approve, --reject or --correct"
      ).lowercased() {
      case "y", "yes", "approve": return .approve
      case "n", "no", "reject": return .reject
      case "e", "edit": return .edit
      default: Console.line("    answer y, n or e")
      }
    }
  }

  /// Corrections typed one per line, `FIELD=VALUE` (empty VALUE clears), until an empty line.
  private func askCorrections() throws -> [String] {
    Console.line("    fields: \(CorrectionText.fields.joined(separator: ", "))")
    var pairs: [String] = []
    while true {
      let line = try prompter.ask("  FIELD=VALUE (enter to send)> ", flagHint: "--correct FIELD=VALUE")
      if line.isEmpty { return pairs }
      do {
        _ = try CorrectionText.body([line])
        pairs.append(line)
      } catch let invalid as CorrectionText.Invalid {
        Console.line("    \(invalid.description)")
      }
    }
  }

  /// Sends the corrections; the run plans again and comes back to the gate.
  private func correct(_ pairs: [String], current: APIClient.Reply) async throws {
    guard !pairs.isEmpty else { return try await decide() }
    do {
      _ = try await client.send(
        .PATCH, "\(path)/constraints", json: try CorrectionText.body(pairs), headers: ifMatch(current))
      renderer.line("corrected \(pairs.joined(separator: ", ")); planning again")
    } catch let failure as APIClient.Failure where failure.code == "not_waiting" || failure.code == "version_mismatch" {
      renderer.line("the run moved on before the correction (\(failure.code)); following on")
    }
  }

  /// What the reviewer needs in view: the plan, its cost and its policy outcome.
  private static func review(_ decisionSet: [String: Any]) {
    if let plan = decisionSet["plan"] as? [String: Any] {
      if let summary = plan["summary"] as? String, !summary.isEmpty { Console.line("  plan: \(summary)") }
      for component in plan["components"] as? [[String: Any]] ?? [] {
        let name = component["display_name"] as? String ?? component["option"] as? String ?? "?"
        Console.line("    - \(component["id"] as? String ?? "?"): \(name) in \(component["region"] as? String ?? "?")")
      }
    }
    if let cost = decisionSet["cost"] as? [String: Any], let monthly = cost["monthly_usd"] as? Double {
      Console.line("  cost: \(RunRenderer.dollars(monthly))/month (\(cost["method"] as? String ?? ""))")
    }
    if let policy = decisionSet["policy"] as? [String: Any] {
      Console.line("  policy: \(policy["summary"] as? String ?? "")")
    }
  }

  private func ifMatch(_ reply: APIClient.Reply) -> [String: String] {
    reply.etag.map { ["If-Match": $0] } ?? [:]
  }

  private static func decode<M: SwiftProtobuf.Message>(_ type: M.Type, _ json: String) throws -> M {
    try M(jsonString: json, options: ProtoJSON.lenientDecoding)
  }

  private static func object(_ json: String) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] ?? [:]
  }
}

/// An `--answer` the question cannot take (not a number, not one of its options).
struct UnusableAnswer: Error, CustomStringConvertible {
  var description: String
}
