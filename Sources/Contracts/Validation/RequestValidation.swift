/// Each RPC's request held to `InputLimits`, so a service answers INVALID_ARGUMENT before it
/// computes anything from a value it cannot handle.
public protocol ValidatedRequest {
  func violations() -> [InputViolation]
}

extension Mlops_V1_ExtractConstraintsRequest: ValidatedRequest {
  public func violations() -> [InputViolation] {
    var check = ViolationCollector()
    check.text("brief", brief, max: InputLimits.briefCharacters)
    if hasOverrides { check.constraints(overrides, at: "overrides") }
    return check.violations
  }
}

extension Mlops_V1_CheckCoverageRequest: ValidatedRequest {
  public func violations() -> [InputViolation] {
    var check = ViolationCollector()
    check.constraints(constraints, at: "constraints")
    check.count("answers", answers.count, max: InputLimits.answers)
    for (index, answer) in answers.prefix(InputLimits.answers).enumerated() {
      check.text("answers[\(index)].question_id", answer.questionID, max: 64)
      check.text("answers[\(index)].value", answer.value, max: InputLimits.answerCharacters)
      check.texts("answers[\(index)].values", answer.values, max: InputLimits.answerCharacters)
    }
    check.count("asked", asked.count, max: InputLimits.answers)
    for (index, question) in asked.prefix(InputLimits.answers).enumerated() {
      check.name("asked[\(index)].field", question.field, allowEmpty: true)
      check.text("asked[\(index)].id", question.id, max: 64)
    }
    if round < 0 || round > 100 { check.add("round", "must be from 0 to 100, not \(round)") }
    return check.violations
  }
}

extension Mlops_V1_ComposePlanRequest: ValidatedRequest {
  public func violations() -> [InputViolation] {
    var check = ViolationCollector()
    check.constraints(constraints, at: "constraints")
    return check.violations
  }
}

extension Mlops_V1_ReviewTechnicalRequest: ValidatedRequest {
  public func violations() -> [InputViolation] {
    var check = ViolationCollector()
    check.plan(plan)
    check.constraints(constraints, at: "constraints")
    return check.violations
  }
}

extension Mlops_V1_EstimateCostRequest: ValidatedRequest {
  public func violations() -> [InputViolation] {
    var check = ViolationCollector()
    check.plan(plan)
    check.constraints(constraints, at: "constraints")
    if hasPrevious { check.cost(previous, at: "previous") }
    return check.violations
  }
}

extension Mlops_V1_EvaluatePolicyRequest: ValidatedRequest {
  public func violations() -> [InputViolation] {
    var check = ViolationCollector()
    check.plan(plan)
    check.constraints(constraints, at: "constraints")
    check.cost(cost)
    check.review(technicalReview)
    return check.violations
  }
}

extension Mlops_V1_GenerateRequest: ValidatedRequest {
  public func violations() -> [InputViolation] {
    var check = ViolationCollector()
    check.text("project_id", projectID, max: 64)
    check.text("project_name", projectName, max: InputLimits.projectNameCharacters)
    if version < 0 || version > 1_000_000 { check.add("version", "must be from 0 to 1000000, not \(version)") }
    check.plan(plan)
    check.constraints(constraints, at: "constraints")
    check.cost(cost)
    check.policy(policy)
    check.review(technicalReview)
    check.approval(approval)
    check.reasonCards(reasonCards)
    return check.violations
  }
}
