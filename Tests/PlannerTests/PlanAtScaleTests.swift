import Contracts
import Domain
import Planner
import Testing

/// Needs no single option meets: the planner scales out, or asks the person to relax the
/// constraint that rules every option out; it never hands a plan with a hole on.
@Suite struct PlanAtScaleTests {
  let engine = PlannerEngine()

  static let toxicityBrief = """
    We need a toxicity filter for in-game chat. It must classify 60,000 messages per second with p95 latency \
    under 30 ms. We run on GPUs with ONNX models served by Triton. Players are in Japan and Korea, so deploy in \
    Tokyo and Seoul. Four nines of availability. Budget up to $50k a month.
    """

  func compose(_ brief: String) async throws -> Mlops_V1_ComposePlanResponse {
    let constraints = try await engine.extract(.with { $0.brief = brief }).constraints
    return engine.composePlan(.with { $0.constraints = constraints })
  }

  @Test func theToxicityFilterIsPlannedWholeByScalingOutItsServing() async throws {
    let response = try await compose(Self.toxicityBrief)
    #expect(response.questions.isEmpty)
    for decision in response.plan.decisions where decision.needed {
      #expect(!decision.chosenOption.isEmpty, "\(decision.capability) has no option")
    }
    #expect(!response.reasonCard.risks.contains { $0.contains("no option fits") || $0.contains("option fits the constraints") })
    let serve = try #require(response.plan.components.first { $0.id == "serve" })
    #expect(serve.option == "sagemaker_gpu_endpoint")
    #expect(serve.settings["requests_per_instance"] == "1000")
    let serving = response.plan.decisions.first { $0.capability == .serve }
    let chosen = try #require(serving?.candidates.first { $0.chosen })
    #expect(chosen.reasons.contains("scales out to 60 instances at 1000 requests/s each for 60000 requests/s"))
    #expect(ServingCapacity(serve: serve, requestsPerSecond: 60_000).instances == 60)
    #expect(response.plan.components.first { $0.id == "ingest" }?.option == "kinesis_streams")
  }

  @Test func aThroughputNoOptionReachesIsPutToThePersonToRelax() async throws {
    let response = try await compose(
      "Fraud scoring for card payments, online via API, p95 under 100 ms, 500,000 requests per second, "
        + "US only, internal data, budget $40k a month.")
    #expect(response.questions.map(\.id) == ["relax_throughput_rps"])
    let question = try #require(response.questions.first)
    #expect(question.field == "throughput_rps" && question.type == .number && question.unit == "requests/s")
    #expect(
      question.why.hasPrefix("No ingest, feature or serve option fits the constraints, and throughput_rps is what keeps"),
      "\(question.why)")
    #expect(response.reasonCard.choice == "ask to relax throughput_rps before planning further")
    #expect(response.plan.decisions.contains { $0.needed && $0.chosenOption.isEmpty })
  }

  /// Every field an exclusion can name has a question, and an answer to it is taken.
  @Test func everyFieldThatCanRuleOptionsOutHasAQuestionToRelaxIt() async throws {
    for field in ["allowed_regions", "data_class", "gpu_required", "inference_mode", "throughput_rps"] {
      let asked = PlannerEngine.relaxQuestions([.init(capability: "serve", fields: [field])])
      #expect(asked.map(\.id) == ["relax_\(field)"], "\(field) has a question to relax it")
      let question = try #require(asked.first)
      let value = try #require(question.type == .number ? "1000" : question.options.first?.value)
      let merged = engine.checkCoverage(
        .with {
          $0.asked = asked
          $0.answers = [
            .with {
              $0.questionID = question.id; $0.value = value
            }
          ]
        })
      #expect(merged.reasonCard.risks.allSatisfy { !$0.hasPrefix("answer not used") }, "\(field): \(merged.reasonCard.risks)")
    }
  }
}
