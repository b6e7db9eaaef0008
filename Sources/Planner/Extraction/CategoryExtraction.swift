import Contracts
import Domain
import Foundation

/// Fields named by words rather than figures: problem type, inference mode, data class,
/// compliance, retraining cadence, GPU need and stack preferences.
enum CategoryExtraction {
  /// A keyword table entry; in tables where the first entry that matches wins, order is priority.
  typealias Rule<Value> = (Value, String)

  /// The highest-priority entry with a match, the span of its earliest match, and how many
  /// values matched (more than one lowers the confidence). A value the brief rules out in
  /// so many words ("this is NOT a recommender", "not PHI") is not read back in from a weaker
  /// cue elsewhere ("personalises the offer", "show patients the wait"); `rulesOut` says
  /// which negated phrases do that (a regulation named as not applying leaves the class).
  static func firstRule<Value: Hashable>(
    _ table: KeywordTable<Value>, in brief: BriefText, rulesOut: (String) -> Bool = { _ in true }
  ) -> (value: Value, range: NSRange, matchedValues: Int)? {
    let hits = table.hits(in: brief)
    var ruledOut: Set<Value> = []
    var negated: Set<Int> = []
    for (position, hit) in hits.enumerated() where Cues.negated(brief, hit.range) {
      negated.insert(position)
      if rulesOut(brief.string(hit.range).lowercased()) { ruledOut.insert(hit.value) }
    }
    let standing = hits.enumerated().filter { !negated.contains($0.offset) && !ruledOut.contains($0.element.value) }.map(
      \.element)
    // Highest priority first, and within an entry its earliest match.
    guard let hit = standing.min(by: { $0.index < $1.index }) else { return nil }
    return (hit.value, hit.range, Set(standing.map(\.value)).count)
  }

  // MARK: Problem type

  static let problemRules = KeywordTable<Mlops_V1_ProblemType>([
    (
      .generative,
      #"(generative|\bllm\b|large language model|chat ?bot|assistant that (answers|writes)|text generation|generat\w* (\w+ ){0,3}(text|answers|replies|descriptions|summar\w+|titles|notes|captions|copy)\b|summari[sz]|caption(s|ing)\b|alt text|\b(faq|help|support|q&a) ?bots?\b|\brag\b|retrieval[- ]augmented|gen ?ai|copilot)"#
    ),
    (
      .computerVision,
      #"(computer vision|object detection|\bocr\b|visual (inspection|search)|image (classification|recognition|segmentation|search))"#
    ),
    (
      .recommendation,
      #"(recommend|recommender|next[- ]best|similar (items|products)|you may also like|(might|may) (also )?like\b)"#
    ),
    (.ranking, #"(\brank(ing|er)?\b|learning to rank|search (results|relevance)|re-?rank|order (the )?results)"#),
    // A modality says what the input is, not what the system does: "recommend items, with
    // product images as a feature" is a recommender.
    (.computerVision, #"(\bimages?\b|photos?|pictures|video|camera|x-rays?|scans?\b)"#),
    (
      .forecasting,
      #"(forecast|time[- ]series|predict (future |next )?(demand|sales|load|traffic|volume)|demand planning|capacity planning)"#
    ),
    (.anomalyDetection, #"(anomal|outlier|intrusion|unusual (behaviou?r|activity|patterns)|detect (odd|strange|abnormal))"#),
    (
      .nlp,
      #"(\bnlp\b|natural language|sentiment|named entit|entity extraction|(text|document|email|ticket|message|comment) classification|classif\w* (of )?(\w+ ){0,2}(tickets|emails|documents|text|reviews|letters|correspondence|messages|comments)\b|intent detection|language model|transcri|moderation|toxic)"#
    ),
    (
      .regression,
      #"(regression|predict (the )?(price|value|amount|duration|time|revenue|cost|eta|lifetime value)|wait(ing)? times?|estimate (the )?(price|value|amount|duration|delivery time|eta)|\beta\b|lifetime value|\bltv\b|\bclv\b|house prices?|pricing model)"#
    ),
    (
      .classification,
      #"(classif|clasif|click[- ]through|\bctr\b|churn|fraud|spam|credit (risk|scoring|default)|default (risk|prediction)|loan default|propensity|lead scoring|\bscore (each|every|the|card|transaction)|scoring|approve or (decline|reject)|yes/no|readmission|no-show|\brisk (of|score|model|prediction)|(predict\w*|flag\w*) (whether|if|which|who)\b|likely to)"#
    ),
    // Personalising is often what a prediction is for ("churn scores to personalise the
    // retention offer"), so it names a recommender only when nothing else names the task.
    (.recommendation, #"personali[sz]"#),
  ])

  static func problemType(_ brief: BriefText) -> Mlops_V1_ProblemTypeValue? {
    guard let found = firstRule(problemRules, in: brief) else { return nil }
    return .with {
      $0.value = found.value
      $0.provenance = provenance(brief, found.range, found.matchedValues > 1 ? 0.75 : 0.9)
    }
  }

  // MARK: Inference mode

  static let streamingCue = NSRegularExpression.builtIn(
    #"(streaming (inference|predictions|scoring|pipeline|data)|stream of events|event stream|kafka|kinesis|as events arrive|each event|clickstream|in-stream|stream processing|\bstreaming\b)"#
  )
  static let onlineCue = NSRegularExpression.builtIn(
    #"(real[- ]?time|online (inference|predictions?|scoring|serving|model)|per request|on request|synchronous|(?<!model )(?<!llm )\bapi\b|endpoint|at checkout|while the (user|customer) waits|live (traffic|predictions|scoring)|in the request path|low[- ]latency|p95|p99|latency|milliseconds|\d\s*ms\b)"#
  )
  static let batchCue = NSRegularExpression.builtIn(
    #"(\bbatch\b|nightly|overnight|offline (scoring|predictions|inference)|bulk|once a (day|week) (we )?(score|predict)|daily (scores|predictions|scoring|report|forecasts?|run)|weekly (scores|predictions|scoring|report|forecasts?)|every (morning|night)|scheduled (job|scoring|predictions)|no real[- ]time|not real[- ]time|results (are|can be) (ready|available) (by|the next)|(don'?t|do not|doesn'?t|does not) need to be (live|real[- ]?time)|(refresh|recomput|updat)\w* every \d+ (minutes|hours))"#
  )
  static let trainingContext = NSRegularExpression.builtIn(
    #"(retrain|re-train|training|\betl\b|ingest|backfill|load the data|data (arrives|lands))"#)

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

  static let dataClassRules = KeywordTable<Mlops_V1_DataClass>([
    (.phi, #"(\bphi\b|protected health|health records?|medical records?|patient|diagnos|clinical|\behr\b|hipaa)"#),
    (.pci, #"(\bpci\b|cardholder|card numbers?|\bpans?\b|primary account number|credit card data|full card)"#),
    (
      .pii,
      #"(\bpii\b|personal(ly identifiable)? (data|information|details)|personal data|customer (names|emails?|addresses|phone)|email addresses|home addresses|phone numbers|dates? of birth|social security|national id|passport|\bgdpr\b|user profiles)"#
    ),
    (.confidential, #"(confidential|proprietary|trade secret|sensitive (business|financial|internal))"#),
    (
      .internal,
      #"(internal (data|only|use|metrics|logs|docs|documents|documentation|wiki|knowledge)|company[- ]internal|non-public|\bdata\s*(class(ification)?|sensitivity)?\s*[:|=]\s*internal\b)"#
    ),
    (
      .public,
      #"(public(ly available)? (data|datasets?|content|listings|posts|tweets|information)|\b(is|are) public\b|open data|open dataset|public domain|scraped from the web|no sensitive data)"#
    ),
  ])

  static func dataClass(_ brief: BriefText) -> Mlops_V1_DataClassValue? {
    // "Not subject to HIPAA" says which law applies, not that there is no health data.
    guard let found = firstRule(dataClassRules, in: brief, rulesOut: { $0 != "hipaa" && $0 != "gdpr" }) else { return nil }
    let phrase = brief.string(found.range).lowercased()
    // GDPR implies personal data, but says so less directly than "PII".
    let confidence = phrase == "gdpr" || phrase == "hipaa" ? 0.7 : 0.9
    return .with {
      $0.value = found.value
      $0.provenance = provenance(brief, found.range, confidence)
    }
  }

  // MARK: Compliance

  static let complianceRules = KeywordTable<Mlops_V1_ComplianceRegime>([
    (.gdpr, #"\bgdpr\b"#),
    (.hipaa, #"\bhipaa\b"#),
    (.soc2, #"\bsoc ?(2|ii)\b|\bsoc-2\b"#),
    (.pciDss, #"\bpci[- ]?dss\b|\bpci compliance\b|\bpci compliant\b"#),
    (.iso27001, #"\biso[- ]?27001\b|\biso/iec 27001\b"#),
  ])

  static func compliance(_ brief: BriefText) -> Mlops_V1_ComplianceValue? {
    var values: [Mlops_V1_ComplianceRegime] = []
    var first: NSRange?
    var seen: Set<Int> = []
    for hit in complianceRules.hits(in: brief) where !Cues.negated(brief, hit.range) && seen.insert(hit.index).inserted {
      values.append(hit.value)
      if first == nil || hit.range.location < first!.location { first = hit.range }
    }
    values.sort { $0.rawValue < $1.rawValue }
    guard let first else { return nil }
    return .with {
      $0.values = values
      $0.provenance = provenance(brief, first, 0.95)
    }
  }

  // MARK: Retraining cadence

  static let retrainCue = NSRegularExpression.builtIn(
    #"(retrain|re-train|refresh(ed|ing)? (the )?model|model refresh|update (the )?model|models? (should|must|need to) be (re)?trained|training (runs?|job|cadence)|\btrain(ed)?\b)"#
  )
  static let cadenceRules = KeywordTable<Mlops_V1_RetrainCadence>([
    (.hourly, #"(hourly|every hour|each hour|once an hour)"#),
    (.daily, #"(daily|nightly|every (day|night)|each (day|night)|once a day|every 24 ?h(ours)?)"#),
    (
      .weekly,
      #"(weekly|every week|each week|once a week|every (sunday|monday|tuesday|wednesday|thursday|friday|saturday|weekend)|every 7 days|every (two|2) weeks|bi-?weekly|fortnightly)"#
    ),
    (.monthly, #"(monthly|every month|each month|once a month|every 30 days)"#),
    (.quarterly, #"(quarterly|every quarter|each quarter|every (three|3) months)"#),
    (.onDemand, #"(on[- ]demand|ad[- ]hoc|manually|when (we see )?drift|as needed|when needed)"#),
  ])

  static let inferenceNext = NSRegularExpression.builtIn(#"^\W*(batch|scor|predict|report)"#)
  static let rejected = NSRegularExpression.builtIn(
    #"^\W*(\w+\s+){0,2}(is|are|would be|seems?)\s+(overkill|too (often|frequent|much|expensive)|not (needed|necessary|required)|unnecessary)"#
  )

  static func retrainCadence(_ brief: BriefText) -> Mlops_V1_RetrainCadenceValue? {
    var mentions: [Mention<Mlops_V1_RetrainCadence>] = []
    for hit in cadenceRules.hits(in: brief) {
      let sentence = brief.sentence(around: hit.range)
      let cues = brief.matches(retrainCue, in: sentence)
      guard !cues.isEmpty, !Cues.negated(brief, hit.range) else { continue }
      // "daily batch scoring" is about inference, not retraining.
      if Cues.contains(inferenceNext, brief.after(hit.range, within: 20)) { continue }
      var score = 1.0
      let close = cues.contains { cue in
        abs(cue.range.location - hit.range.location) <= 24
      }
      if close { score += 1 }
      if Cues.contains(rejected, brief.after(hit.range, within: 40)) { score -= 3 }
      if Cues.distractor(brief, hit.range, within: 60) { score -= 3 }
      mentions.append(Mention(value: hit.value, range: hit.range, score: score))
    }
    guard let best = mentions.best(), best.score > 0 else { return nil }
    let phrase = brief.string(best.range).lowercased()
    let approximate =
      phrase.contains("two") || phrase.contains("2 weeks") || phrase.contains("bi") || phrase.contains("fortnight")
    return .with {
      $0.value = best.value
      $0.provenance = best.provenance(in: brief, confidence: approximate ? 0.6 : 0.9)
    }
  }

  // MARK: GPU

  static let noGPU = NSRegularExpression.builtIn(
    #"(cpu[- ]only|no ([a-z]+-?[a-z]* )?gpus?|without (a )?gpus?|(don'?t|do not|doesn'?t|does not|won'?t) (need|require|use|want to (run|manage|host)) (a |any )?gpus?|no need for (a )?gpus?|gpus? (are|is) not (needed|required)|not need (a |any )?gpus?|cpus? (is|are) (fine|enough|sufficient))"#
  )
  /// GPUs allowed rather than required ("GPU ok if needed", "GPUs are fine"): not a need.
  static let gpuAllowed = NSRegularExpression.builtIn(
    #"^\W*([a-z]+\W+){0,2}(ok|okay|fine|optional|allowed|permitted|welcome|if needed)\b"#)
  static let gpu = NSRegularExpression.builtIn(
    #"(\bgpus?\b|\bcuda\b|\ba100\b|\bh100\b|\ba10g\b|\bl4\b|\bt4\b|inferentia|trainium)"#)

  static func gpuRequired(_ brief: BriefText) -> Mlops_V1_BoolValue? {
    if let hit = brief.matches(noGPU).first {
      return .with {
        $0.value = false
        $0.provenance = provenance(brief, hit.range, 0.95)
      }
    }
    let needed = brief.matches(gpu).first { hit in
      !Cues.negated(brief, hit.range) && !Cues.distractor(brief, hit.range)
        && !Cues.contains(gpuAllowed, brief.after(hit.range, within: 30))
    }
    guard let hit = needed else { return nil }
    return .with {
      $0.value = true
      $0.provenance = provenance(brief, hit.range, 0.9)
    }
  }

  // MARK: Stack preferences

  static let stackRules = KeywordTable<String>([
    ("pytorch", #"\bpy ?torch\b"#), ("tensorflow", #"\btensor ?flow\b|\bkeras\b"#),
    ("xgboost", #"\bxgboost\b"#), ("lightgbm", #"\blight ?gbm\b"#),
    ("scikit-learn", #"\bscikit[- ]learn\b|\bsklearn\b"#), ("huggingface", #"\bhugging ?face\b|\btransformers library\b"#),
    ("spark", #"\b(py)?spark\b"#), ("sagemaker", #"\bsage ?maker\b"#), ("kubernetes", #"\bkubernetes\b|\bk8s\b|\beks\b"#),
    ("ecs", #"\becs\b"#), ("fargate", #"\bfargate\b"#), ("lambda", #"\blambdas?\b"#),
    ("dynamodb", #"\bdynamo ?db\b"#), ("postgresql", #"\bpostgres(ql)?\b|\baurora\b|\brds\b"#),
    ("redis", #"\bredis\b|\belasticache\b"#), ("kafka", #"\bkafka\b|\bmsk\b"#), ("kinesis", #"\bkinesis\b"#),
    ("airflow", #"\bairflow\b|\bmwaa\b"#), ("mlflow", #"\bmlflow\b"#), ("feast", #"\bfeast\b"#),
    ("snowflake", #"\bsnowflake\b"#), ("databricks", #"\bdatabricks\b"#), ("fastapi", #"\bfast ?api\b"#),
    ("step functions", #"\bstep functions\b"#), ("glue", #"\bglue\b"#), ("athena", #"\bathena\b"#),
    ("terraform", #"\bterraform\b"#), ("flink", #"\bflink\b"#), ("prometheus", #"\bprometheus\b"#),
    ("grafana", #"\bgrafana\b"#), ("emr", #"\bemr\b"#), ("lake formation", #"\blake ?formation\b"#),
  ])

  static func stackPreferences(_ brief: BriefText) -> Mlops_V1_TextListValue? {
    var names: [String] = []
    var first: NSRange?
    for hit in stackRules.hits(in: brief) where !Cues.negated(brief, hit.range) && !names.contains(hit.value) {
      names.append(hit.value)
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
