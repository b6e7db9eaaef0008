import Contracts
import EdgeRuntime
import Foundation
import HummingbirdTesting
import Testing

/// Briefs across use cases through the real services, answered and approved by script: the
/// normalised Reason Cards and the bundle hash must match their reviewed snapshots
/// (`Snapshots/`). A change is reviewed, never re-recorded blindly: MLOPS_RECORD_SNAPSHOTS=1
/// writes the new snapshots; read the diff before committing it.
@Suite(.serialized) struct GoldenRunTests {
  struct Golden: Sendable, CustomStringConvertible {
    var name: String
    var brief: String
    var answers: [String: String] = [:]
    var description: String { name }
  }

  static let goldens: [Golden] = [
    Golden(
      name: "churn-online-eu",
      brief: "Churn prediction for our telecom customers, online via API, p95 under 150 ms, 300 requests per second, EU only.",
      answers: ["data_class": "confidential", "monthly_budget": "1k_5k"]),
    Golden(
      name: "fraud-pii-eu",
      brief:
        "Fraud scoring on card transactions at checkout, p95 under 80 ms, about $3k a month, PII, EU regions only. Peak traffic is 400 transactions per second. Retrain weekly with XGBoost."
    ),
    Golden(
      name: "demand-batch",
      brief:
        "We want to forecast weekly demand for 20,000 products across our stores. Nightly batch predictions are fine, nothing real-time. We have 3 TB of sales history in S3. Retrain monthly. Keep spend below 1,500 USD per month."
    ),
    Golden(
      name: "support-text",
      brief:
        "Classify customer support tickets by topic as they arrive, online, p95 300 ms, 20 requests per second, us-west-2, budget 800 USD monthly, confidential data, retrain weekly."
    ),
    Golden(
      name: "defects-gpu",
      brief:
        "Detect defects in product photos on the assembly line, online, p95 under 200 ms, GPU needed, PyTorch, eu-central-1, $4k per month, internal data, retrain weekly."
    ),
    Golden(
      name: "readmission-phi",
      brief:
        "A readmission risk classifier for hospital patients. Data contains PHI and we are subject to HIPAA. Scores are computed nightly in batch for about 2 million patient records. Availability 99.5% is enough. Budget: up to $6,000 monthly."
    ),
    Golden(
      name: "recs-postgres",
      brief:
        "Recommend products on our shop's home page, online, p95 under 100 ms, 150 requests per second, us-east-1, customer profiles live in PostgreSQL, budget $2,500 per month, internal data, retrain daily."
    ),
    Golden(
      name: "llm-support",
      brief:
        "An assistant that drafts answers to support emails with a fine-tuned open model from Hugging Face, online, p95 under 2 seconds, 5 requests per second, us-east-1, internal data, budget $3k a month, GPU needed, retrain monthly."
    ),
  ]

  @Test(arguments: goldens)
  func aBriefRunsToItsReviewedResult(golden: Golden) async throws {
    try await GoldenStack.with { stack in
      let id = try await stack.submit(golden.brief, project: golden.name)
      let status = try await stack.drive(id, answers: golden.answers)
      #expect(status == "completed", "\(golden.name)")
      let state = try await stack.state(id)
      let snapshot = try GoldenSnapshot.make(state: state, decisionSetID: id)
      try GoldenSnapshot.check(snapshot, name: golden.name)
      #expect(state.reasonCards.map(\.node).suffix(4) == ["codegen", "validators", "rationale_compile", "diff_and_persist"])
    }
  }

  /// The stack runs only the secret scan: a project that does not allow incomplete bundles
  /// gets none published, with a run-error naming what did not run; one that allows them
  /// gets the bundle, and its validators.json says it is incomplete.
  @Test func anIncompleteBundleIsPublishedOnlyWhereTheProjectAllowsIt() async throws {
    try await GoldenStack.with { stack in
      let golden = Self.goldens[0]
      let refused = try await stack.submit(golden.brief, project: "strict", allowIncompleteBundles: false)
      #expect(try await stack.drive(refused, answers: golden.answers) == "failed")
      let events = try await stack.send(.get, "/v1/decision-sets/\(refused)/events").body
      let errors = (events["items"] as? [[String: Any]] ?? []).filter { $0["type"] as? String == "run-error" }
      let error = errors.compactMap { ($0["data"] as? [String: Any])?["error"] as? String }.first ?? ""
      #expect(error.contains("the bundle is incomplete") && error.contains("checkov: not selected"), "\(events)")
      #expect(!(try await stack.state(refused).reasonCards.contains { $0.node == "diff_and_persist" }), "nothing is published")

      let allowed = try await stack.submit(golden.brief, project: "lenient", allowIncompleteBundles: true)
      #expect(try await stack.drive(allowed, answers: golden.answers) == "completed")
      let report = try await stack.state(allowed).validation
      #expect(report.passed && !report.complete && report.incompleteAllowed)
      #expect(report.notRun.contains { $0.hasPrefix("checkov: ") })

      // Who approved is in the codegen card and in the published bundle's decision record.
      let reviewer = "Golden Reviewer (\(GoldenStack.reviewer))"
      let codegen = try #require(try await stack.state(allowed).reasonCards.first { $0.node == "codegen" })
      #expect(codegen.inputs.summary.contains("approved by \(reviewer)"), "\(codegen.inputs.summary)")
      let artifacts = try await stack.send(.get, "/v1/decision-sets/\(allowed)/artifacts")
      let link = try #require((artifacts.body["artifacts"] as? [[String: Any]])?.first?["download_url"] as? String)
      let url = try #require(URLComponents(string: link))
      let zip = try await stack.api.execute(uri: url.path + "?" + (url.percentEncodedQuery ?? ""), method: .get) {
        Data(buffer: $0.body)
      }
      let record = try #require(try BundleArchive.read(zip).first { $0.path == "docs/decision-record.md" })
      #expect(String(decoding: record.contents, as: UTF8.self).contains("- Reviewer: \(reviewer)"))
    }
  }

  /// v1, then a revision that triples the traffic: the Change Summary is the same every time,
  /// and its cost delta is the cost critic's.
  @Test func aRevisionHasADeterministicChangeSummary() async throws {
    try await GoldenStack.with { stack in
      let golden = Self.goldens[0]
      let id = try await stack.submit(golden.brief, project: "revision")
      #expect(try await stack.drive(id, answers: golden.answers) == "completed")
      let revised = try await stack.send(
        .post, "/v1/decision-sets/\(id)/revisions",
        json:
          #"{"constraint_overrides": {"throughput_rps": {"value": 900, "unit": "requests/s", "provenance": {"kind": "SOURCE_KIND_OVERRIDE", "confidence": 1}}}}"#
      )
      #expect(revised.status == .accepted, "\(revised)")
      #expect(try await stack.drive(id, answers: [:]) == "completed", "the answers of v1 carry over: nothing is asked again")
      let changes = try await stack.send(.get, "/v1/decision-sets/\(id)/changes?from=1&to=2")
      #expect(changes.status == .ok)
      let state = try await stack.state(id)
      #expect(!state.reasonCards.contains { $0.node == "adaptive_questions" }, "v1's answers carry over: nothing is asked again")
      let cost = try #require(changes.body["cost"] as? [String: Any])
      let delta = try #require(cost["delta_usd"] as? Double)
      #expect(abs(delta - state.cost.delta.deltaUsd) < 0.005, "the summary's delta is the critic's")
      #expect(cost["critic_delta_usd"] as? Double == state.cost.delta.deltaUsd)
      let normalised: [String: Any] = [
        "state_changes": try JSONSerialization.jsonObject(
          with: Data(
            GoldenSnapshot.normalise(
              String(
                decoding: try JSONSerialization.data(
                  withJSONObject: GoldenSnapshot.untimed(changes.body["state_changes"] as? [[String: Any]] ?? [])),
                as: UTF8.self),
              decisionSetID: id
            ).utf8)),
        "files": changes.body["files"] ?? [],
        "cost": cost,
        // The manifest in the diff hashes the decision record, which holds times: hashes read as <sha256>.
        "unified_diff": GoldenSnapshot.normalise(
          GoldenSnapshot.withoutDecisionRecord(changes.body["unified_diff"] as? String ?? ""), decisionSetID: id
        )
        .replacingOccurrences(of: "[0-9a-f]{64}", with: "<sha256>", options: .regularExpression)
        .split(separator: "\n", omittingEmptySubsequences: false).map(String.init),
      ]
      try GoldenSnapshot.check(normalised, name: "revision-change-summary")
    }
  }
}
