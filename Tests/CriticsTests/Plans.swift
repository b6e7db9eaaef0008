import Contracts
import Planner

/// Plans the way the graph makes them: extract, then compose.
enum Plans {
  static let engine = PlannerEngine()

  static func constraints(_ brief: String) async throws -> Mlops_V1_Constraints {
    try await engine.extract(.with { $0.brief = brief }).constraints
  }

  static func plan(_ constraints: Mlops_V1_Constraints) -> Mlops_V1_Plan {
    engine.composePlan(.with { $0.constraints = constraints }).plan
  }

  static let briefs = [
    "Fraud scoring at checkout, p95 under 80 ms, about $3k a month, PII, EU regions only, 400 transactions per second, retrain weekly.",
    "Nightly batch demand forecasts from 3 TB of sales history, under $1,500 a month, internal data, us-east-1, retrain monthly.",
    "Defect detection on camera images with GPUs, p95 200 ms, 30 images per second, €8k a month, Germany only, public data.",
    "Support chatbot with an LLM, p95 3 seconds, 2 requests per second, $5k a month, internal docs, US only, GPU inference.",
    "Streaming anomaly detection over Kafka, 5,000 events per second, alert within 500 ms, confidential data, Oregon, $20k a month.",
    "Patient readmission classifier, nightly batch, 2 million patient records, PHI, HIPAA, up to $6,000 monthly, US only.",
  ]
}
