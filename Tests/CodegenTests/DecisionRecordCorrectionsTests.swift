import Codegen
import Contracts
import Foundation
import Testing

/// Every correction of the constraints and every pick among the candidates before approval
/// is in the bundle's decision record, with who made it, beside the planner's own choice.
@Suite struct DecisionRecordCorrectionsTests {
  static func record(_ request: Mlops_V1_GenerateRequest) throws -> String {
    let files = try RepositoryGenerator().generate(request).files
    return String(decoding: try #require(files.first { $0.path == "docs/decision-record.md" }).content, as: UTF8.self)
  }

  @Test func correctionsAndChoicesAreInTheDecisionRecord() async throws {
    var request = try await CodegenFixtures.request("fraud-online-pii")
    #expect(try Self.record(request).contains("Nobody corrected the constraints or picked another candidate"))
    request.constraintEdits = [
      .with {
        $0.changes = ["latency_p95_ms: 150 ms → 80 ms", "gpu_required: yes → (cleared)"]
        $0.editedBy = "Ana Reviewer"
        $0.editedAt = "2026-12-04T07:00:00Z"
        $0.comment = "checkout waits on it"
        $0.at = "gate_hitl"
      }
    ]
    request.candidateChoices = [
      .with {
        $0.capability = "serve"
        $0.option = "sagemaker_realtime_endpoint"
        $0.score = 0.71
        $0.plannerOption = "ecs_fargate_service"
        $0.plannerScore = 0.9
        $0.chosenBy = "Ana Reviewer"
        $0.chosenAt = "2026-12-04T07:01:00Z"
      }
    ]
    let record = try Self.record(request)
    #expect(
      record.contains("- Ana Reviewer corrected the constraints at the review gate (2026-12-04T07:00:00Z): checkout waits on it"))
    #expect(record.contains("  - latency_p95_ms: 150 ms → 80 ms"), "\(record)")
    // Markdown text: a figure's dot is escaped, and renders as a dot.
    #expect(
      record.contains(
        "- Ana Reviewer chose sagemaker_realtime_endpoint (score 0\\.71) for serve at the review gate "
          + "(2026-12-04T07:01:00Z), over the planner's ecs_fargate_service (score 0\\.90)"), "\(record)")
  }
}
