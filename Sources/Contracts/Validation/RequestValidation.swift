/// Each RPC's request held to `InputLimits`, so a service answers INVALID_ARGUMENT before it
/// computes anything from a value it cannot handle.
public protocol ValidatedRequest {
  func violations() -> [InputViolation]
}

extension Mlops_V1_ExtractConstraintsRequest: ValidatedRequest {
  public func violations() -> [InputViolation] {
    ViolationCollector.collect {
      $0.text("brief", brief, max: InputLimits.briefCharacters)
      if hasOverrides { $0.constraints(overrides, at: "overrides") }
    }
  }
}

extension Mlops_V1_CheckCoverageRequest: ValidatedRequest {
  public func violations() -> [InputViolation] {
    ViolationCollector.collect {
      $0.constraints(constraints, at: "constraints")
      $0.count("answers", answers.count, max: InputLimits.answers)
      for (index, answer) in answers.prefix(InputLimits.answers).enumerated() {
        $0.text("answers[\(index)].question_id", answer.questionID, max: 64)
        $0.text("answers[\(index)].value", answer.value, max: InputLimits.answerCharacters)
        $0.texts("answers[\(index)].values", answer.values, max: InputLimits.answerCharacters)
      }
      $0.count("asked", asked.count, max: InputLimits.answers)
      for (index, question) in asked.prefix(InputLimits.answers).enumerated() {
        $0.name("asked[\(index)].field", question.field, allowEmpty: true)
        $0.text("asked[\(index)].id", question.id, max: 64)
      }
      if round < 0 || round > 100 { $0.add("round", "must be from 0 to 100, not \(round)") }
    }
  }
}

extension Mlops_V1_ComposePlanRequest: ValidatedRequest {
  public func violations() -> [InputViolation] {
    ViolationCollector.collect {
      $0.constraints(constraints, at: "constraints")
      // One pick per capability at most; the composer takes only candidates it weighed.
      $0.count("choices", choices.count, max: 8)
      for (capability, option) in choices.sorted(by: { $0.key < $1.key }).prefix(8) {
        $0.name("choices key", capability, allowEmpty: false)
        $0.name("choices value", option, allowEmpty: false)
      }
    }
  }
}

extension Mlops_V1_ReviewTechnicalRequest: ValidatedRequest {
  public func violations() -> [InputViolation] {
    ViolationCollector.collect {
      $0.plan(plan)
      $0.constraints(constraints, at: "constraints")
    }
  }
}

extension Mlops_V1_EstimateCostRequest: ValidatedRequest {
  public func violations() -> [InputViolation] {
    ViolationCollector.collect {
      $0.plan(plan)
      $0.constraints(constraints, at: "constraints")
      if hasPrevious { $0.cost(previous, at: "previous") }
    }
  }
}

extension Mlops_V1_EvaluatePolicyRequest: ValidatedRequest {
  public func violations() -> [InputViolation] {
    ViolationCollector.collect {
      $0.plan(plan)
      $0.constraints(constraints, at: "constraints")
      $0.cost(cost)
      $0.review(technicalReview)
      $0.waivers(waivers)
      $0.instant("evaluated_at", evaluatedAt, allowEmpty: waivers.isEmpty)
    }
  }
}

extension Mlops_V1_GenerateRequest: ValidatedRequest {
  public func violations() -> [InputViolation] {
    ViolationCollector.collect {
      $0.text("project_id", projectID, max: 64)
      $0.text("project_name", projectName, max: InputLimits.projectNameCharacters)
      if version < 0 || version > 1_000_000 { $0.add("version", "must be from 0 to 1000000, not \(version)") }
      $0.plan(plan)
      $0.constraints(constraints, at: "constraints")
      $0.cost(cost)
      $0.policy(policy)
      $0.review(technicalReview)
      $0.approval(approval)
      $0.reasonCards(reasonCards)
    }
  }
}
