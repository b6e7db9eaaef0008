import Contracts
import Planner
import Testing

@Suite struct CoverageTests {
  let engine = PlannerEngine()

  func extracted(_ brief: String) async throws -> Mlops_V1_Constraints {
    try await engine.extract(.with { $0.brief = brief }).constraints
  }

  @Test func aBriefWithoutABudgetAsksExactlyTheBudgetAndTheAnswerLiftsCoverage() async throws {
    let constraints = try await extracted("Fraud scoring at checkout, p95 under 80 ms, PII, EU regions only.")
    let first = engine.checkCoverage(.with { $0.constraints = constraints })
    #expect(!first.coverage.sufficient)
    #expect(first.coverage.score < first.coverage.threshold || !first.coverage.missing.isEmpty)
    #expect(first.questions.map(\.id) == ["monthly_budget"])
    let question = try #require(first.questions.first)
    #expect(question.type == .choice)
    #expect(question.options.map(\.value).contains("1k_5k"))
    #expect(!question.why.isEmpty)

    let second = engine.checkCoverage(
      .with {
        $0.constraints = first.constraints
        $0.answers = [
          .with {
            $0.questionID = "monthly_budget"; $0.value = "1k_5k"
          }
        ]
        $0.asked = first.questions
        $0.round = 1
      })
    #expect(second.coverage.sufficient)
    #expect(second.coverage.score >= second.coverage.threshold)
    #expect(second.questions.isEmpty)
    #expect(second.constraints.monthlyBudget.maxUsd == 5000)
    #expect(second.constraints.monthlyBudget.provenance.kind == .answer)
    #expect(second.constraints.monthlyBudget.provenance.questionID == "monthly_budget")
  }

  @Test func aVagueBriefAsksAtMostThreeQuestionsMostImportantFirst() async throws {
    let constraints = try await extracted("We want to use machine learning for our marketing team.")
    let response = engine.checkCoverage(.with { $0.constraints = constraints })
    #expect(response.questions.map(\.id) == ["problem_type", "inference_mode", "data_class"])
    #expect(response.reasonCard.choice == "ask 3 questions")
  }

  @Test func aCompleteBriefAsksNothing() async throws {
    let constraints = try await extracted("Fraud scoring at checkout, p95 under 80 ms, about $3k a month, PII, EU regions only.")
    let response = engine.checkCoverage(.with { $0.constraints = constraints })
    #expect(response.coverage.sufficient)
    #expect(response.questions.isEmpty)
  }

  @Test func afterTheLastRoundThePlannerGoesOnAndNamesTheGaps() async throws {
    let response = engine.checkCoverage(.with { $0.round = 3 })
    #expect(response.coverage.sufficient)
    #expect(response.reasonCard.risks.contains { $0.contains("planning without") })
  }

  @Test func anOverrideWinsOverTheBriefAndSaysSo() async throws {
    let response = try await engine.extract(
      .with {
        $0.brief = "Churn model, p95 under 300 ms."
        $0.overrides.latencyP95Ms = .with {
          $0.value = 120; $0.unit = "ms"
        }
      })
    #expect(response.constraints.latencyP95Ms.value == 120)
    #expect(response.constraints.latencyP95Ms.provenance.kind == .override)
    #expect(response.reasonCard.provider.name == "deterministic")
  }
}

/// Precision before recall: a value the extractor read without certainty is a question that
/// quotes what it read, never a silent guess.
@Suite struct UnsureValuesAreAskedTests {
  let engine = PlannerEngine()

  @Test func aBudgetWithoutACurrencyIsAskedQuotingTheBrief() async throws {
    let brief = "Fraud scoring at checkout, p95 under 80 ms, PII, EU regions only. The budget is like 10k a month tops."
    let constraints = try await engine.extract(.with { $0.brief = brief }).constraints
    #expect(constraints.monthlyBudget.maxUsd == 10_000)
    #expect(constraints.monthlyBudget.provenance.confidence < CoverageScorer.Settings().lowConfidence)
    let response = engine.checkCoverage(.with { $0.constraints = constraints })
    #expect(response.questions.map(\.id) == ["monthly_budget"])
    #expect(response.questions.first?.why.contains("“10k”") == true, "\(response.questions)")
  }

  @Test func anUnsureValueOfAFieldThatIsNotRequiredIsAskedToo() {
    var constraints = Mlops_V1_Constraints()
    constraints.problemType = .with {
      $0.value = .classification; $0.provenance.confidence = 0.9
    }
    constraints.inferenceMode = .with {
      $0.value = .batch; $0.provenance.confidence = 0.9
    }
    constraints.dataClass = .with {
      $0.value = .internal; $0.provenance.confidence = 0.9
    }
    constraints.monthlyBudget = .with {
      $0.maxUsd = 1000; $0.max = 1000; $0.provenance.confidence = 0.9
    }
    constraints.allowedRegions = .with {
      $0.values = ["eu-west-1"]; $0.provenance.confidence = 0.9
    }
    #expect(engine.checkCoverage(.with { $0.constraints = constraints }).questions.isEmpty)
    constraints.gpuRequired = .with {
      $0.value = true; $0.provenance.confidence = 0.4
    }
    #expect(engine.checkCoverage(.with { $0.constraints = constraints }).questions.map(\.id) == ["gpu_required"])
  }

  /// Over both corpora: whatever the extractor is unsure of, the first round asks (the
  /// fields the question bank cannot ask are never emitted unsure).
  @Test(arguments: ["briefs", "intake-corpus"]) func everyUnsureValueInTheCorporaIsAsked(corpus: String) async throws {
    let floor = CoverageScorer.Settings().lowConfidence
    for item in try ExtractionScore.load(corpus) {
      let constraints = try await engine.extract(.with { $0.brief = item.brief }).constraints
      let report = engine.checkCoverage(.with { $0.constraints = constraints }).coverage
      for field in report.fields where field.present && field.confidence < floor {
        #expect(report.missing.contains(field.field), "\(item.name): \(field.field) at \(field.confidence) is not asked")
      }
    }
  }
}
