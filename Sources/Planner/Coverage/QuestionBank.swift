import Contracts
import ServiceKit

/// The follow-up question for each required field, typed, with options where a choice is
/// easier to answer than free text, and the value each option stands for.
enum QuestionBank {
  struct BudgetOption {
    var value: String
    var label: String
    var minUSD: Double
    /// 0 means no ceiling.
    var maxUSD: Double
  }

  static let budgetBands: [BudgetOption] = [
    BudgetOption(value: "under_1k", label: "under $1,000 a month", minUSD: 0, maxUSD: 1_000),
    BudgetOption(value: "1k_5k", label: "$1,000–5,000 a month", minUSD: 1_000, maxUSD: 5_000),
    BudgetOption(value: "5k_20k", label: "$5,000–20,000 a month", minUSD: 5_000, maxUSD: 20_000),
    BudgetOption(value: "20k_50k", label: "$20,000–50,000 a month", minUSD: 20_000, maxUSD: 50_000),
    BudgetOption(value: "over_50k", label: "over $50,000 a month", minUSD: 50_000, maxUSD: 0),
  ]

  static let regionScopes: [(value: String, label: String, regions: [String])] = [
    ("eu", "EU only (GDPR residency)", ["eu-central-1", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-3"]),
    (
      "europe", "Europe, UK and Switzerland included",
      ["eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3"]
    ),
    ("us", "United States only", ["us-east-1", "us-east-2", "us-west-1", "us-west-2"]),
    ("uk", "United Kingdom only", ["eu-west-2"]),
    ("apac", "Asia Pacific", ["ap-northeast-1", "ap-northeast-2", "ap-south-1", "ap-southeast-1", "ap-southeast-2"]),
    ("any", "Any region", []),
  ]

  static func asks(_ field: String) -> Bool { question(for: field, impact: 0) != nil }

  /// Brief text quoted in a question: one line, at most 80 characters.
  static func quote(_ text: String) -> String {
    let line = InertText.singleLine(text)
    return line.count > 80 ? String(line.prefix(79)) + "…" : line
  }

  static func question(for field: String, impact: Double) -> Mlops_V1_Question? {
    var question = Mlops_V1_Question()
    question.id = field
    question.field = field
    question.impact = impact
    switch field {
    case "problem_type":
      question.text = "What kind of prediction is it?"
      question.type = .choice
      question.options = [
        ("classification", "Classification (fraud, churn, spam…)"), ("regression", "Regression (a number: price, ETA…)"),
        ("forecasting", "Forecasting (time series)"), ("recommendation", "Recommendation"), ("ranking", "Ranking / search"),
        ("nlp", "Language understanding (NLP)"), ("computer_vision", "Computer vision"),
        ("anomaly_detection", "Anomaly detection"), ("generative", "Generative AI / LLM"),
      ].map(option)
      question.why = "The problem type decides the training and serving patterns."
    case "inference_mode":
      question.text = "How are predictions used?"
      question.type = .choice
      question.options = [
        ("online", "Online: a caller waits for each answer"), ("batch", "Batch: scored on a schedule"),
        ("streaming", "Streaming: scored as events arrive"),
      ].map(option)
      question.why = "Online, batch and streaming need different serving and ingest components."
    case "data_class":
      question.text = "What is the most sensitive data the system handles?"
      question.type = .choice
      question.options = [
        ("public", "Public"), ("internal", "Internal"), ("confidential", "Confidential"), ("pii", "Personal data (PII)"),
        ("phi", "Health data (PHI)"), ("pci", "Cardholder data (PCI)"),
      ].map(option)
      question.why = "Sensitive data needs encryption with KMS, private networking and audit logging."
    case "monthly_budget":
      question.text = "What monthly budget should the running system stay within?"
      question.type = .choice
      question.options = budgetBands.map { option(($0.value, $0.label)) }
      question.why = "The budget band steers the choice between managed and self-run options."
    case "latency_p95_ms":
      question.text = "What p95 latency must each prediction meet?"
      question.type = .number
      question.unit = "ms"
      question.why = "The latency target rules out serving options that are too slow."
    case "allowed_regions":
      question.text = "Where may the system run and keep data?"
      question.type = .choice
      question.options = regionScopes.map { option(($0.value, $0.label)) }
      question.why = "Data residency limits the AWS regions every component may use."
    case "throughput_rps":
      question.text = "How many predictions a second must the system serve at peak?"
      question.type = .number
      question.unit = "requests/s"
      question.why = "Throughput decides which serving and ingest options can keep up, and how far they scale out."
    case "gpu_required":
      question.text = "Does the model need GPUs to serve and train?"
      question.type = .choice
      question.options = [("yes", "Yes, GPUs are required"), ("no", "No, CPUs are enough")].map(option)
      question.why = "Some options run only on CPUs, others only on GPUs."
    default:
      return nil
    }
    return question
  }

  private static func option(_ pair: (String, String)) -> Mlops_V1_QuestionOption {
    .with {
      $0.value = pair.0
      $0.label = pair.1
    }
  }
}
