import Contracts
import Foundation

/// Fields named by words rather than figures: problem type, inference mode, data class,
/// compliance, retraining cadence, GPU need and stack preferences.
enum CategoryExtraction {
  /// A keyword table entry: the first table entry that matches wins, so order is priority.
  struct Rule<Value: Sendable>: Sendable {
    var value: Value
    var regex: NSRegularExpression
    init(_ value: Value, _ pattern: String) {
      self.value = value
      regex = .caseless(pattern)
    }
  }

  /// The first rule with an un-negated match, the span of its earliest match, and how many
  /// rules matched (more than one lowers the confidence).
  static func firstRule<Value>(_ rules: [Rule<Value>], in brief: BriefText, negatable: Bool = true)
    -> (value: Value, range: NSRange, matchedRules: Int)?
  {
    var chosen: (Value, NSRange)?
    var matched = 0
    for rule in rules {
      let hits = brief.matches(rule.regex).filter { !negatable || !Cues.negated(brief, $0.range) }
      guard let hit = hits.first else { continue }
      matched += 1
      if chosen == nil { chosen = (rule.value, hit.range) }
    }
    return chosen.map { ($0.0, $0.1, matched) }
  }

  // MARK: Problem type

  static let problemRules: [Rule<Mlops_V1_ProblemType>] = [
    Rule(.generative, #"(generative|\bllm\b|large language model|chat ?bot|assistant that (answers|writes)|text generation|generate (text|answers|replies|descriptions|summaries)|summari[sz]|\brag\b|retrieval[- ]augmented|gen ?ai|copilot)"#),
    Rule(.computerVision, #"(computer vision|\bimages?\b|photos?|pictures|video|camera|object detection|\bocr\b|x-rays?|scans?\b|visual inspection)"#),
    Rule(.recommendation, #"(recommend|recommender|personali[sz]|next[- ]best|similar (items|products)|you may also like)"#),
    Rule(.ranking, #"(\brank(ing|er)?\b|learning to rank|search (results|relevance)|re-?rank|order (the )?results)"#),
    Rule(.forecasting, #"(forecast|time[- ]series|predict (future |next )?(demand|sales|load|traffic|volume)|demand planning|capacity planning)"#),
    Rule(.anomalyDetection, #"(anomal|outlier|intrusion|unusual (behaviou?r|activity|patterns)|detect (odd|strange|abnormal))"#),
    Rule(.nlp, #"(\bnlp\b|natural language|sentiment|named entit|entity extraction|text classification|classify (support )?(tickets|emails|documents|text|reviews)|intent detection|language model|transcri)"#),
    Rule(.regression, #"(regression|predict (the )?(price|value|amount|duration|time|revenue|cost|eta|lifetime value)|estimate (the )?(price|value|amount|duration|delivery time|eta)|\beta\b|lifetime value|\bltv\b|\bclv\b|house prices?|pricing model)"#),
    Rule(.classification, #"(classif|clasif|click[- ]through|\bctr\b|churn|fraud|spam|credit (risk|scoring|default)|default (risk|prediction)|loan default|propensity|lead scoring|\bscore (each|every|the|card|transaction)|scoring|approve or (decline|reject)|yes/no)"#),
  ]

  static func problemType(_ brief: BriefText) -> Mlops_V1_ProblemTypeValue? {
    guard let found = firstRule(problemRules, in: brief, negatable: false) else { return nil }
    return .with {
      $0.value = found.value
      $0.provenance = provenance(brief, found.range, found.matchedRules > 1 ? 0.75 : 0.9)
    }
  }

  // MARK: Inference mode

  static let streamingCue = NSRegularExpression.caseless(
    #"(streaming (inference|predictions|scoring|pipeline|data)|stream of events|event stream|kafka|kinesis|as events arrive|each event|clickstream|in-stream|stream processing|\bstreaming\b)"#)
  static let onlineCue = NSRegularExpression.caseless(
    #"(real[- ]?time|online (inference|predictions?|scoring|serving|model)|per request|on request|synchronous|\bapi\b|endpoint|at checkout|while the (user|customer) waits|live (traffic|predictions|scoring)|in the request path|low[- ]latency|p95|p99|latency|milliseconds|\d\s*ms\b)"#)
  static let batchCue = NSRegularExpression.caseless(
    #"(\bbatch\b|nightly|overnight|offline (scoring|predictions|inference)|bulk|once a (day|week) (we )?(score|predict)|daily (scores|predictions|scoring|report|forecasts?|run)|weekly (scores|predictions|scoring|report|forecasts?)|every (morning|night)|scheduled (job|scoring|predictions)|no real[- ]time|not real[- ]time|results (are|can be) (ready|available) (by|the next))"#)
  static let trainingContext = NSRegularExpression.caseless(#"(retrain|re-train|training|\betl\b|ingest|backfill|load the data|data (arrives|lands))"#)

  static func inferenceMode(_ brief: BriefText) -> Mlops_V1_InferenceModeValue? {
    func hits(_ regex: NSRegularExpression, skippingTraining: Bool) -> [NSTextCheckingResult] {
      brief.matches(regex).filter { match in
        let sentence = brief.string(brief.sentence(around: match.range))
        let phrase = brief.string(match.range).lowercased()
        if phrase.hasPrefix("no real") || phrase.hasPrefix("not real") { return true }
        if Cues.negated(brief, match.range) { return false }
        return !(skippingTraining && Cues.contains(trainingContext, sentence))
      }
    }
    // "replies start streaming" is about tokens on the wire, not a stream of inputs.
    let streaming = hits(streamingCue, skippingTraining: true).filter { match in
      let sentence = brief.string(brief.sentence(around: match.range)).lowercased()
      return !(sentence.contains("repl") || sentence.contains("token") || sentence.contains("answer"))
    }
    let online = hits(onlineCue, skippingTraining: true)
    let batch = hits(batchCue, skippingTraining: true)
    let scores: [(Mlops_V1_InferenceMode, Double, NSRange?)] = [
      (.streaming, Double(streaming.count) * 2.5, streaming.first?.range),
      (.online, Double(online.count) * 1.5, online.first?.range),
      (.batch, Double(batch.count) * 2, batch.first?.range),
    ]
    let ranked = scores.filter { $0.1 > 0 }.sorted { $0.1 > $1.1 }
    guard let top = ranked.first, let range = top.2 else { return nil }
    let margin = ranked.count > 1 ? top.1 - ranked[1].1 : top.1
    return .with {
      $0.value = top.0
      $0.provenance = provenance(brief, range, margin >= 2 ? 0.9 : margin >= 1 ? 0.75 : 0.55)
    }
  }

  // MARK: Data class

  static let dataClassRules: [Rule<Mlops_V1_DataClass>] = [
    Rule(.phi, #"(\bphi\b|protected health|health records?|medical records?|patient|diagnos|clinical|\behr\b|hipaa)"#),
    Rule(.pci, #"(\bpci\b|cardholder|card numbers?|\bpans?\b|primary account number|credit card data|full card)"#),
    Rule(.pii, #"(\bpii\b|personal(ly identifiable)? (data|information|details)|personal data|customer (names|emails?|addresses|phone)|email addresses|home addresses|phone numbers|dates? of birth|social security|national id|passport|\bgdpr\b|user profiles)"#),
    Rule(.confidential, #"(confidential|proprietary|trade secret|sensitive (business|financial|internal))"#),
    Rule(.internal, #"(internal (data|only|use|metrics|logs|docs|documents|documentation|wiki|knowledge)|company[- ]internal|non-public)"#),
    Rule(.public, #"(public(ly available)? (data|datasets?)|open data|open dataset|public domain|scraped from the web|no sensitive data)"#),
  ]

  static func dataClass(_ brief: BriefText) -> Mlops_V1_DataClassValue? {
    guard let found = firstRule(dataClassRules, in: brief) else { return nil }
    let phrase = brief.string(found.range).lowercased()
    // GDPR implies personal data, but says so less directly than "PII".
    let confidence = phrase == "gdpr" || phrase == "hipaa" ? 0.7 : 0.9
    return .with {
      $0.value = found.value
      $0.provenance = provenance(brief, found.range, confidence)
    }
  }

  // MARK: Compliance

  static let complianceRules: [Rule<Mlops_V1_ComplianceRegime>] = [
    Rule(.gdpr, #"\bgdpr\b"#),
    Rule(.hipaa, #"\bhipaa\b"#),
    Rule(.soc2, #"\bsoc ?(2|ii)\b|\bsoc-2\b"#),
    Rule(.pciDss, #"\bpci[- ]?dss\b|\bpci compliance\b|\bpci compliant\b"#),
    Rule(.iso27001, #"\biso[- ]?27001\b|\biso/iec 27001\b"#),
  ]

  static func compliance(_ brief: BriefText) -> Mlops_V1_ComplianceValue? {
    var values: [Mlops_V1_ComplianceRegime] = []
    var first: NSRange?
    for rule in complianceRules {
      guard let hit = brief.matches(rule.regex).first(where: { !Cues.negated(brief, $0.range) }) else { continue }
      values.append(rule.value)
      if first == nil || hit.range.location < first!.location { first = hit.range }
    }
    guard let first else { return nil }
    return .with {
      $0.values = values
      $0.provenance = provenance(brief, first, 0.95)
    }
  }

  // MARK: Retraining cadence

  static let retrainCue = NSRegularExpression.caseless(
    #"(retrain|re-train|refresh(ed|ing)? (the )?model|model refresh|update (the )?model|models? (should|must|need to) be (re)?trained|training (runs?|job|cadence)|\btrain(ed)?\b)"#)
  static let cadenceRules: [Rule<Mlops_V1_RetrainCadence>] = [
    Rule(.hourly, #"(hourly|every hour|each hour|once an hour)"#),
    Rule(.daily, #"(daily|nightly|every (day|night)|each (day|night)|once a day|every 24 ?h(ours)?)"#),
    Rule(.weekly, #"(weekly|every week|each week|once a week|every (sunday|monday|tuesday|wednesday|thursday|friday|saturday|weekend)|every 7 days|every (two|2) weeks|bi-?weekly|fortnightly)"#),
    Rule(.monthly, #"(monthly|every month|each month|once a month|every 30 days)"#),
    Rule(.quarterly, #"(quarterly|every quarter|each quarter|every (three|3) months)"#),
    Rule(.onDemand, #"(on[- ]demand|ad[- ]hoc|manually|when (we see )?drift|as needed|when needed)"#),
  ]

  static let rejected = NSRegularExpression.caseless(
    #"^\W*(\w+\s+){0,2}(is|are|would be|seems?)\s+(overkill|too (often|frequent|much|expensive)|not (needed|necessary|required)|unnecessary)"#)

  static func retrainCadence(_ brief: BriefText) -> Mlops_V1_RetrainCadenceValue? {
    var mentions: [Mention<Mlops_V1_RetrainCadence>] = []
    for rule in cadenceRules {
      for hit in brief.matches(rule.regex) {
        let sentence = brief.sentence(around: hit.range)
        let cues = brief.matches(retrainCue, in: sentence)
        guard !cues.isEmpty, !Cues.negated(brief, hit.range) else { continue }
        // "daily batch scoring" is about inference, not retraining.
        let near = brief.after(hit.range, within: 20)
        if near.contains("scor") || near.contains("predict") || near.contains("report") || near.contains("batch") {
          continue
        }
        var score = 1.0
        let close = cues.contains { cue in
          abs(cue.range.location - hit.range.location) <= 24
        }
        if close { score += 1 }
        if Cues.contains(rejected, brief.after(hit.range, within: 40)) { score -= 3 }
        mentions.append(Mention(value: rule.value, range: hit.range, score: score))
      }
    }
    guard let best = mentions.best(), best.score > 0 else { return nil }
    let phrase = brief.string(best.range).lowercased()
    let approximate = phrase.contains("two") || phrase.contains("2 weeks") || phrase.contains("bi") || phrase.contains("fortnight")
    return .with {
      $0.value = best.value
      $0.provenance = best.provenance(in: brief, confidence: approximate ? 0.6 : 0.9)
    }
  }

  // MARK: GPU

  static let noGPU = NSRegularExpression.caseless(
    #"(cpu[- ]only|no gpus?|without (a )?gpus?|(don'?t|do not|doesn'?t|does not|won'?t) (need|require|use) (a |any )?gpus?|no need for (a )?gpus?|gpus? (are|is) not (needed|required)|not need (a |any )?gpus?)"#)
  static let gpu = NSRegularExpression.caseless(#"(\bgpus?\b|\bcuda\b|\ba100\b|\bh100\b|\ba10g\b|\bl4\b|\bt4\b|inferentia|trainium)"#)

  static func gpuRequired(_ brief: BriefText) -> Mlops_V1_BoolValue? {
    if let hit = brief.matches(noGPU).first {
      return .with {
        $0.value = false
        $0.provenance = provenance(brief, hit.range, 0.95)
      }
    }
    guard let hit = brief.matches(gpu).first(where: { !Cues.negated(brief, $0.range) }) else { return nil }
    return .with {
      $0.value = true
      $0.provenance = provenance(brief, hit.range, 0.9)
    }
  }

  // MARK: Stack preferences

  static let stackRules: [Rule<String>] = [
    Rule("pytorch", #"\bpy ?torch\b"#), Rule("tensorflow", #"\btensor ?flow\b|\bkeras\b"#),
    Rule("xgboost", #"\bxgboost\b"#), Rule("lightgbm", #"\blight ?gbm\b"#),
    Rule("scikit-learn", #"\bscikit[- ]learn\b|\bsklearn\b"#), Rule("huggingface", #"\bhugging ?face\b|\btransformers library\b"#),
    Rule("spark", #"\b(py)?spark\b"#), Rule("sagemaker", #"\bsage ?maker\b"#), Rule("kubernetes", #"\bkubernetes\b|\bk8s\b|\beks\b"#),
    Rule("ecs", #"\becs\b"#), Rule("fargate", #"\bfargate\b"#), Rule("lambda", #"\blambdas?\b"#),
    Rule("dynamodb", #"\bdynamo ?db\b"#), Rule("postgresql", #"\bpostgres(ql)?\b|\baurora\b|\brds\b"#),
    Rule("redis", #"\bredis\b|\belasticache\b"#), Rule("kafka", #"\bkafka\b|\bmsk\b"#), Rule("kinesis", #"\bkinesis\b"#),
    Rule("airflow", #"\bairflow\b|\bmwaa\b"#), Rule("mlflow", #"\bmlflow\b"#), Rule("feast", #"\bfeast\b"#),
    Rule("snowflake", #"\bsnowflake\b"#), Rule("databricks", #"\bdatabricks\b"#), Rule("fastapi", #"\bfast ?api\b"#),
    Rule("step functions", #"\bstep functions\b"#), Rule("glue", #"\bglue\b"#), Rule("athena", #"\bathena\b"#),
    Rule("terraform", #"\bterraform\b"#), Rule("flink", #"\bflink\b"#), Rule("prometheus", #"\bprometheus\b"#),
  ]

  static func stackPreferences(_ brief: BriefText) -> Mlops_V1_TextListValue? {
    var names: [String] = []
    var first: NSRange?
    for rule in stackRules {
      guard let hit = brief.matches(rule.regex).first(where: { !Cues.negated(brief, $0.range) }) else { continue }
      names.append(rule.value)
      if first == nil || hit.range.location < first!.location { first = hit.range }
    }
    guard let first else { return nil }
    return .with {
      $0.values = names.sorted()
      $0.provenance = provenance(brief, first, 0.9)
    }
  }

  static func provenance(_ brief: BriefText, _ range: NSRange, _ confidence: Double) -> Mlops_V1_Provenance {
    Mention(value: (), range: range, score: 0).provenance(in: brief, confidence: confidence)
  }
}
