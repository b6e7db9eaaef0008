import Codegen
import Contracts
import Foundation
import InProcessPipeline

/// Approved GenerateRequests for real briefs, built the way the graph builds them: planner,
/// both critics, policy, an approval with a comment.
enum CodegenFixtures {
  /// Online and batch, PII and not, GPU and CPU, and each serving family.
  static let briefs: [String: String] = [
    "fraud-online-pii":
      "Fraud scoring on card transactions at checkout, p95 under 80 ms, about $3k a month, PII, EU regions only. Peak traffic is 400 transactions per second. Retrain weekly with XGBoost.",
    "demand-batch":
      "We want to forecast weekly demand for 20,000 products across our stores. Nightly batch predictions are fine, nothing real-time. We have 3 TB of sales history in S3. Retrain monthly. Keep spend below 1,500 USD per month.",
    "defects-gpu":
      "Detect defects in product photos on the assembly line, online, p95 under 200 ms, GPU needed, PyTorch, eu-central-1, $4k per month, internal data, retrain weekly.",
    "support-text":
      "Classify customer support tickets by topic as they arrive, online, p95 300 ms, 20 requests per second, us-west-2, budget 800 USD monthly, confidential data, retrain weekly.",
    "churn-postgres":
      "Predict customer churn for our CRM in us-east-1, online predictions at 50 requests per second with p95 under 150 ms, store customers in PostgreSQL, budget $2k a month, internal data, retrain daily.",
    "recs-phi":
      "Recommend care programs to patients, PHI, HIPAA, online at 30 requests per second, p95 under 250 ms, us-east-1 only, budget $5k monthly, retrain weekly.",
  ]

  static func request(_ name: String, brief: String? = nil, approvalComment: String = "Looks good; keep logs for a year.")
    async throws -> Mlops_V1_GenerateRequest
  {
    let reviewed = try await ReviewedPlan.make(brief: brief ?? briefs[name]!, reviewNotes: [approvalComment])
    var request = reviewed.generateRequest(projectName: name, approvalComment: approvalComment)
    request.projectID = "0b7c8a5e-6a43-4f51-9f43-1d2a3b4c5d6e"
    request.approval.reviewer = "reviewer@example.com"
    return request
  }

  /// Writes a generated repository to a folder (for a look, or for tools).
  static func write(_ files: [Mlops_V1_GeneratedFile], to folder: URL) throws {
    for file in files {
      let url = folder.appending(path: file.path)
      try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try file.content.write(to: url)
    }
  }
}
