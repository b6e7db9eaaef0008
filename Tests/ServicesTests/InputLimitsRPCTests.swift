import Codegen
import Contracts
import Critics
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import InProcessPipeline
import Planner
import Policy
import ServiceKit
import Testing

/// Any client can call the services, so each holds its input to the contract's limits:
/// extreme numbers in any constraint reach no computation (INVALID_ARGUMENT, never a trap),
/// and Codegen validates only bundles it generated itself.
@Suite struct InputLimitsRPCTests {
  static let extremes: [Double] = [0, -0.0, -1, .leastNonzeroMagnitude, 1e308, -1e308, .infinity, -.infinity, .nan, 9e20]

  /// Constraints with one figure set to `value`, each field in turn.
  static func constraints(_ value: Double) -> [(String, Mlops_V1_Constraints)] {
    let number = Mlops_V1_NumberValue.with { $0.value = value }
    return [
      ("latency", .with { $0.latencyP95Ms = number }),
      ("throughput", .with { $0.throughputRps = number }),
      ("volume", .with { $0.dataVolumeGb = number }),
      ("rows", .with { $0.dataRows = number }),
      ("availability", .with { $0.availabilityTargetPct = number }),
      (
        "budget",
        .with {
          $0.monthlyBudget = .with {
            $0.minUsd = 0; $0.maxUsd = value; $0.max = value
          }
        }
      ),
      (
        "confidence",
        .with {
          $0.dataClass = .with {
            $0.value = .pii; $0.provenance.confidence = value
          }
        }
      ),
    ]
  }

  static func outcome(_ call: () async throws -> Void) async -> RPCError.Code? {
    do {
      try await call()
      return nil
    } catch let error as RPCError {
      return error.code
    } catch {
      return .unknown
    }
  }

  @Test func extremeFiguresGetInvalidArgumentFromEveryService() async throws {
    let reviewed = try await ReviewedPlan.make(brief: "Fraud scoring, online, p95 80 ms, $3k a month, PII, eu-west-1.")
    try await withRunningHosts { planner, critics, policy, codegen in
      for value in Self.extremes {
        for (field, constraints) in Self.constraints(value) {
          let violations = constraints.violations()
          let expected: RPCError.Code? = violations.isEmpty ? nil : .invalidArgument
          let calls: [(String, () async throws -> Void)] = [
            (
              "extract",
              {
                _ = try await planner.extractConstraints(
                  .with {
                    $0.brief = "a brief"; $0.overrides = constraints
                  })
              }
            ),
            ("coverage", { _ = try await planner.checkCoverage(.with { $0.constraints = constraints }) }),
            ("compose", { _ = try await planner.composePlan(.with { $0.constraints = constraints }) }),
            (
              "technical",
              {
                _ = try await critics.reviewTechnical(
                  .with {
                    $0.plan = reviewed.plan; $0.constraints = constraints
                  })
              }
            ),
            (
              "cost",
              {
                _ = try await critics.estimateCost(
                  .with {
                    $0.plan = reviewed.plan; $0.constraints = constraints
                  })
              }
            ),
            (
              "policy",
              {
                _ = try await policy.evaluate(
                  .with {
                    $0.plan = reviewed.plan; $0.constraints = constraints; $0.cost = reviewed.cost
                  })
              }
            ),
            (
              "generate",
              {
                var request = reviewed.generateRequest(projectName: "limits")
                request.constraints = constraints
                try await codegen.generate(request) { response in for try await _ in response.messages {} }
              }
            ),
          ]
          for (name, call) in calls {
            let code = await Self.outcome(call)
            if let expected {
              #expect(code == expected, "\(name) with \(field) = \(value): \(String(describing: code))")
            } else {
              #expect(code == nil, "\(name) with \(field) = \(value): \(String(describing: code))")
            }
          }
        }
      }
      // The services still answer: nothing above ended them.
      _ = try await planner.composePlan(.with { $0.constraints = reviewed.constraints })
    }
  }

  @Test func validateRefusesFilesCodegenDidNotGenerate() async throws {
    let reviewed = try await ReviewedPlan.make(
      brief: "Churn prediction, online, p95 150 ms, $2k a month, internal data, us-east-1.")
    let service = CodegenService(
      generator: try RepositoryGenerator(), validators: ValidatorSuite(configuration: .init(only: [.secretScan])))
    try await withRunningHost(service) { client in
      let codegen = Mlops_V1_Codegen.Client(wrapping: client)
      let (files, manifest) = try await codegen.generate(reviewed.generateRequest(projectName: "signed")) { response in
        var files: [Mlops_V1_GeneratedFile] = []
        var manifest = Mlops_V1_BundleManifest()
        for try await message in response.messages {
          if case .file(let file) = message.item { files.append(file) }
          if case .manifest(let value) = message.item { manifest = value }
        }
        return (files, manifest)
      }
      #expect(!manifest.signature.isEmpty)
      let report = try await codegen.validate(
        .with {
          $0.files = files; $0.manifest = manifest
        })
      #expect(report.report.passed)

      // A hand-made bundle with a conftest.py (pytest would run it) and its own manifest.
      let conftest = Mlops_V1_GeneratedFile.with {
        $0.path = "services/inference/conftest.py"
        $0.content = Data("import os\nos.system('touch /tmp/owned')\n".utf8)
        $0.mode = 0o644
      }
      let forged = files + [conftest]
      let unsigned = BundleManifestBuilder.manifest(for: forged, generator: manifest.generatorVersion)
      var reused = unsigned
      reused.signature = manifest.signature
      for attempt in [unsigned, reused] {
        let code = await Self.outcome {
          _ = try await codegen.validate(
            .with {
              $0.files = forged; $0.manifest = attempt
            })
        }
        #expect(code == .invalidArgument)
      }
      // The signed manifest with one file changed.
      var changed = files
      changed[0].content.append(Data("\n# changed\n".utf8))
      let code = await Self.outcome {
        _ = try await codegen.validate(
          .with {
            $0.files = changed; $0.manifest = manifest
          })
      }
      #expect(code == .invalidArgument)
    }
  }

  func withRunningHosts(
    _ body:
      @Sendable (
        Mlops_V1_Planner.Client<HTTP2ClientTransport.Posix>, Mlops_V1_Critics.Client<HTTP2ClientTransport.Posix>,
        Mlops_V1_Policy.Client<HTTP2ClientTransport.Posix>, Mlops_V1_Codegen.Client<HTTP2ClientTransport.Posix>
      ) async throws -> Void
  ) async throws {
    let codegen = CodegenService(
      generator: try RepositoryGenerator(), validators: ValidatorSuite(configuration: .init(only: [.secretScan])))
    try await withRunningHost(PlannerService(engine: PlannerEngine())) { planner in
      try await withRunningHost(CriticsService()) { critics in
        try await withRunningHost(PolicyService()) { policy in
          try await withRunningHost(codegen) { codegen in
            try await body(.init(wrapping: planner), .init(wrapping: critics), .init(wrapping: policy), .init(wrapping: codegen))
          }
        }
      }
    }
  }

  func withRunningHost(
    _ service: any RegistrableRPCService & NamedService,
    _ body: @Sendable (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> Void
  ) async throws {
    try await ServiceHealthTests().withRunningHost(service, body)
  }
}
