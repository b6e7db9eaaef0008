import Contracts
import Foundation
import Logging
import Providers

/// Codegen's optional model provider. The templates' bundle is the default; this asks a chat
/// model for the marked regions' code and keeps it only when the whole bundle with that code
/// in passes the Python validators. A reply that fails is tried again with what failed; after
/// the last attempt the templates' code stays. Either way the Reason Card says what happened.
public struct ModelRegionWriter: Sendable {
  /// The validators a model's code must pass, every one of them run, none skipped.
  static let gate: [ValidatorSuite.Validator] = [.ruffCheck, .ruffFormat, .mypy, .pytest]

  public struct Outcome: Sendable {
    public var repository: RepositoryGenerator.Repository
    public var use: Mlops_V1_ProviderUse
    /// One line per attempt: what was asked, and why it was or was not kept.
    public var attempts: [String]
    public var rationale: String
    var kept: Bool { use.fallbackReason.isEmpty }
  }

  let transport: any ChatTransport
  let validators: ValidatorSuite
  let attempts: Int
  let quarantine: Quarantine
  let logger: Logger

  /// `validators` runs with its own configuration narrowed to the gate's validators.
  public init(
    transport: any ChatTransport, validators: ValidatorSuite, attempts: Int, quarantine: Quarantine, logger: Logger
  ) {
    var configuration = validators.configuration
    configuration.only = Set(Self.gate)
    self.transport = transport
    self.validators = ValidatorSuite(configuration: configuration)
    self.attempts = max(1, attempts)
    self.quarantine = quarantine
    self.logger = logger
  }

  public func write(
    _ templates: RepositoryGenerator.Repository, request: Mlops_V1_GenerateRequest
  ) async throws -> Outcome {
    let regions = CodeRegion.regions(in: templates.files)
    var use = Mlops_V1_ProviderUse.with {
      $0.name = transport.identity.name
      $0.model = transport.identity.model
    }
    guard !regions.isEmpty else {
      use.fallbackReason = "the bundle has no marked regions; the templates' code was kept"
      return Outcome(repository: templates, use: use, attempts: [], rationale: "")
    }
    var history: [String] = []
    var feedback: String?
    for attempt in 1...attempts {
      try Task.checkCancellation()
      use.attempts = Int32(attempt)
      let reply: RegionReply
      do {
        let messages = RegionPrompt.messages(
          regions: regions, files: templates.files, request: request, feedback: feedback)
        let answer = try await ModelCall(
          task: "codegen.regions", provider: transport.identity, attempt: attempt, logger: logger
        ).run { try await transport.complete(messages) }
        use.inputTokens += Int64(max(0, answer.inputTokens))
        use.outputTokens += Int64(max(0, answer.outputTokens))
        do {
          reply = try RegionReply.parse(answer.text, regions: regions)
        } catch {
          quarantine.keep(entry(attempt: attempt, reason: error.description, payload: answer.text))
          history.append("attempt \(attempt): the reply was refused before any validator ran: \(error.description)")
          feedback = "Your reply was refused: \(error.description)"
          continue
        }
      } catch let error as CancellationError {
        throw error
      } catch {
        history.append("attempt \(attempt): the model did not answer: \(String(describing: error).prefix(300))")
        continue
      }
      let candidate = apply(reply, attempt: attempt, to: templates, regions: regions)
      let report = try await validators.validate(candidate.files)
      let results = Self.gate.map { tool in report.results.first { $0.tool == tool.rawValue } }
      let unrun = zip(Self.gate, results).filter { $0.1 == nil || $0.1?.outcome == .skipped }
      guard unrun.isEmpty else {
        let names = unrun.map { "\($0.0.rawValue)\($0.1.map { ": \($0.skipReason)" } ?? "")" }
        history.append("attempt \(attempt): not checked, so not kept: \(names.joined(separator: "; ")) did not run")
        use.fallbackReason =
          "the model's code could not be checked (\(names.joined(separator: "; ")) did not run); the templates' code was kept"
        return Outcome(repository: templates, use: use, attempts: history, rationale: reply.rationale)
      }
      let failed = results.compactMap { $0 }.filter { $0.outcome != .pass }.map(\.tool)
      guard !failed.isEmpty else {
        use.regions = reply.modules.keys.sorted()
        history.append("attempt \(attempt): kept; \(Self.gate.map(\.rawValue).joined(separator: ", ")) passed")
        logger.info(
          "model code kept", metadata: ["regions": "\(use.regions.joined(separator: ","))", "attempt": "\(attempt)"])
        return Outcome(repository: candidate, use: use, attempts: history, rationale: reply.rationale)
      }
      history.append("attempt \(attempt): \(failed.joined(separator: ", ")) failed on the model's code")
      feedback = RegionPrompt.feedback(report)
    }
    use.fallbackReason =
      "no attempt of \(attempts) gave code that passed the validators (last: \(history.last ?? "none")); "
      + "the templates' code was kept"
    return Outcome(repository: templates, use: use, attempts: history, rationale: "")
  }

  /// The templates' bundle with the reply's modules in place, each under a marker naming
  /// who wrote it, and a manifest over the new files.
  func apply(
    _ reply: RegionReply, attempt: Int, to templates: RepositoryGenerator.Repository, regions: [CodeRegion]
  ) -> RepositoryGenerator.Repository {
    var files = templates.files
    for region in regions {
      guard let module = reply.modules[region.name], let index = files.firstIndex(where: { $0.path == region.path })
      else { continue }
      let marker = region.marker(
        writtenBy: transport.identity.name, model: transport.identity.model, attempt: attempt,
        checks: Self.gate.map(\.rawValue))
      files[index] = RepositoryGenerator.file(region.path, text: marker + "\n" + module, mode: files[index].mode)
    }
    return RepositoryGenerator.Repository(
      files: files, manifest: BundleManifestBuilder.manifest(for: files, generator: templates.manifest.generatorVersion))
  }

  private func entry(attempt: Int, reason: String, payload: String) -> Quarantine.Entry {
    Quarantine.Entry(
      task: "codegen-regions", provider: transport.identity.name, model: transport.identity.model, attempt: attempt,
      reason: reason, payload: String(payload.prefix(RegionReply.maxReplyBytes)), at: Date())
  }
}
