import Contracts
import Domain

/// Folds answers into the constraints with source `answer`; an answer always wins over text.
enum AnswerMerger {
  struct Unusable: Error, CustomStringConvertible {
    var description: String
  }

  /// Merges every answer that replies to one of `asked`; answers to questions not asked are
  /// ignored (the API already refused them), unusable values are reported.
  static func merge(
    _ answers: [Mlops_V1_Answer], asked: [Mlops_V1_Question], into constraints: Mlops_V1_Constraints
  ) -> (constraints: Mlops_V1_Constraints, problems: [String]) {
    var constraints = constraints
    var problems: [String] = []
    let byID = Dictionary(asked.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    for answer in answers {
      guard let question = byID[answer.questionID] else { continue }
      let provenance = Mlops_V1_Provenance.with {
        $0.kind = .answer
        $0.questionID = answer.questionID
        $0.confidence = 1
      }
      do {
        try apply(answer.value, to: question.field, provenance: provenance, in: &constraints)
      } catch {
        problems.append("\(answer.questionID): \(error)")
      }
    }
    return (constraints, problems)
  }

  static func apply(
    _ value: String, to field: String, provenance: Mlops_V1_Provenance, in constraints: inout Mlops_V1_Constraints
  ) throws {
    switch field {
    case "problem_type":
      guard let type = ProtoNames.problemType[value] else { throw Unusable(description: "unknown problem type \(value)") }
      constraints.problemType = .with {
        $0.value = type; $0.provenance = provenance
      }
    case "inference_mode":
      guard let mode = ProtoNames.inferenceMode[value] else { throw Unusable(description: "unknown inference mode \(value)") }
      constraints.inferenceMode = .with {
        $0.value = mode; $0.provenance = provenance
      }
    case "data_class":
      guard let dataClass = ProtoNames.dataClass[value] else { throw Unusable(description: "unknown data class \(value)") }
      constraints.dataClass = .with {
        $0.value = dataClass; $0.provenance = provenance
      }
    case "monthly_budget":
      guard let band = QuestionBank.budgetBands.first(where: { $0.value == value }) else {
        throw Unusable(description: "unknown budget band \(value)")
      }
      constraints.monthlyBudget = .with {
        $0.min = band.minUSD
        $0.max = band.maxUSD
        $0.currency = "USD"
        $0.minUsd = band.minUSD
        $0.maxUsd = band.maxUSD
        $0.provenance = provenance
      }
    case "latency_p95_ms":
      constraints.latencyP95Ms = try number(value, in: InputLimits.latencyMilliseconds, provenance: provenance)
    case "allowed_regions":
      guard let scope = QuestionBank.regionScopes.first(where: { $0.value == value }) else {
        throw Unusable(description: "unknown region scope \(value)")
      }
      constraints.allowedRegions = .with {
        $0.values = scope.regions; $0.provenance = provenance
      }
    case "throughput_rps":
      constraints.throughputRps = try number(value, in: InputLimits.throughputRPS, provenance: provenance)
    case "gpu_required":
      guard value == "yes" || value == "no" else { throw Unusable(description: "\(value) is not yes or no") }
      constraints.gpuRequired = .with {
        $0.value = value == "yes"; $0.provenance = provenance
      }
    default:
      throw Unusable(description: "no field \(field) takes answers")
    }
  }

  /// A number answer in its documented range, with the range's unit.
  private static func number(
    _ value: String, in range: InputLimits.NumberRange, provenance: Mlops_V1_Provenance
  ) throws -> Mlops_V1_NumberValue {
    guard let number = Double(value), range.contains(number) else {
      throw Unusable(description: "\(value) is not \(range.text)")
    }
    return .with {
      $0.value = number; $0.unit = range.unit; $0.provenance = provenance
    }
  }
}
