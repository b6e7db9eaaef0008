import Codegen
import Contracts
import Foundation
import InProcessPipeline

/// Approved GenerateRequests for real briefs, built the way the graph builds them: planner,
/// both critics, policy, an approval with a comment.
enum CodegenFixtures {
  /// Online, batch and streaming, PII and not, GPU and CPU: together they choose every
  /// option of the capability catalog (a test holds that).
  static let briefs: [String: String] = [
    "fraud-online-pii":
      "Fraud scoring on card transactions at checkout, p95 under 80 ms, about $3k a month, PII, EU regions only. Peak traffic is 400 transactions per second. Retrain weekly with XGBoost.",
    "demand-batch":
      "We want to forecast weekly demand for 20,000 products across our stores. Nightly batch predictions are fine, nothing real-time. We have 3 TB of sales history in S3. Retrain monthly. Keep spend below 1,500 USD per month.",
    "defects-gpu":
      "Detect defects in product photos on the assembly line, online, p95 under 200 ms, GPU needed, PyTorch, eu-central-1, $4k per month, internal data, retrain weekly.",
    "support-text":
      "Classify support tickets by topic from their text as they arrive, online, p95 300 ms, 20 requests per second, us-west-2, budget 800 USD monthly, confidential data, retrain weekly.",
    "churn-postgres":
      "Predict customer churn for our CRM in us-east-1, online predictions at 50 requests per second with p95 under 150 ms, store customers in PostgreSQL, budget $2k a month, internal data, retrain daily.",
    "recs-phi":
      "Recommend care programs to patients, PHI, HIPAA, online at 30 requests per second, p95 under 250 ms, us-east-1 only, budget $5k monthly, retrain weekly.",
    "sensors-kafka-flink":
      "Detect anomalies in IoT sensor events streamed from Kafka, 4,000 events per second, Flink for stream processing, internal data, eu-west-1, $25k a month, retrain daily.",
    "logs-emr-grafana":
      "Nightly batch scoring after ETL on EMR Serverless over 10 TB of logs, dashboards in Prometheus and Grafana, internal, us-west-2, $6k monthly, retrain weekly.",
    "clicks-feature-store":
      "Clickstream from Kinesis, online recommendations p95 under 50 ms at 2,000 requests per second, PII, us-east-1, $25k per month, retrain hourly, Lake Formation governance, SageMaker feature store.",
    "leads-serverless":
      "An assistant that answers customer questions from our help-centre articles (RAG), online with SageMaker serverless inference, 5 requests per second, p95 under 1 second, public data, us-east-1, $300 a month, retrain monthly.",
    "photos-gpu-endpoint":
      "Product photo tagging online with a GPU required, p95 under 300 ms, 50 requests per second, internal data, us-east-1, $8k per month, retrain weekly.",
    "orders-dynamodb":
      "Estimate the delivery time of orders with Lambda container inference behind API Gateway, 10 requests per second, p95 under 500 ms, public data, DynamoDB store, us-east-1, $600 monthly, retrain on demand.",
  ]

  /// Options a reviewer picked instead of the planner's first choice.
  static let choices: [String: [String: String]] = [
    "photos-gpu-endpoint": ["serve": "sagemaker_gpu_endpoint"]
  ]

  static func request(_ name: String, brief: String? = nil, approvalComment: String = "Looks good; keep logs for a year.")
    async throws -> Mlops_V1_GenerateRequest
  {
    let reviewed = try await ReviewedPlan.make(
      brief: brief ?? briefs[name]!, reviewNotes: [approvalComment], choices: choices[name] ?? [:])
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
