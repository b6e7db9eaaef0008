/// The documented ranges of every value a person, a model or another service can put in a
/// message: the API, each gRPC service and the planner's own extraction check against these,
/// so a value that passes one door passes them all.
public enum InputLimits {
  /// A closed range of finite numbers with the unit people read it in.
  public struct NumberRange: Sendable, Equatable {
    public var lower: Double
    public var upper: Double
    /// Whether `lower` itself is allowed (a latency of 0 ms is not).
    public var includesLower: Bool
    public var unit: String

    public func contains(_ value: Double) -> Bool {
      value.isFinite && (includesLower ? value >= lower : value > lower) && value <= upper
    }

    public var text: String {
      let open = includesLower ? "from" : "above"
      return "a finite number \(open) \(Self.figure(lower)) to \(Self.figure(upper))\(unit.isEmpty ? "" : " \(unit)")"
    }

    static func figure(_ value: Double) -> String {
      value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
  }

  public static let confidence = NumberRange(lower: 0, upper: 1, includesLower: true, unit: "")
  public static let latencyMilliseconds = NumberRange(lower: 0, upper: 3_600_000, includesLower: false, unit: "ms")
  public static let throughputRPS = NumberRange(lower: 0, upper: 10_000_000, includesLower: true, unit: "requests/s")
  public static let budgetUSD = NumberRange(lower: 0, upper: 1_000_000_000, includesLower: true, unit: "USD per month")
  public static let dataVolumeGB = NumberRange(lower: 0, upper: 1_000_000_000, includesLower: true, unit: "GB")
  public static let dataRows = NumberRange(lower: 0, upper: 1e15, includesLower: true, unit: "rows")
  public static let availabilityPercent = NumberRange(lower: 0, upper: 100, includesLower: false, unit: "%")

  /// The range of a numeric constraint field by its proto name, for typed answers.
  public static func range(forField field: String) -> NumberRange? {
    switch field {
    case "latency_p95_ms": latencyMilliseconds
    case "throughput_rps": throughputRPS
    case "monthly_budget": budgetUSD
    case "data_volume_gb": dataVolumeGB
    case "data_rows": dataRows
    case "availability_target_pct": availabilityPercent
    default: nil
    }
  }

  /// Characters, not bytes: what a person may write in one go.
  public static let briefCharacters = 20_000
  public static let commentCharacters = 10_000
  public static let inlineComments = 50
  public static let inlineCommentPathCharacters = 512
  public static let answers = 20
  public static let policyWaivers = 200
  public static let waiverReasonCharacters = 2_000
  public static let answerCharacters = 1_000
  public static let reviewNotes = 200
  /// A review note is a comment, or an inline comment as `path: text`.
  public static let reviewNoteCharacters = commentCharacters + inlineCommentPathCharacters + 2
  public static let regions = 40
  public static let stackPreferences = 20
  public static let stackPreferenceCharacters = 64
  public static let complianceRegimes = 10
  public static let unitCharacters = 32
  public static let projectNameCharacters = 200
  public static let projectDescriptionCharacters = 2_000

  /// AWS region codes the platform plans for (the capability catalog's `region_preference`
  /// must stay inside this list; a test checks it).
  public static let awsRegions: Set<String> = [
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "ca-west-1",
    "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2",
    "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
    "ap-southeast-5", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-east-1",
    "sa-east-1", "me-south-1", "me-central-1", "il-central-1", "af-south-1", "mx-central-1",
    "us-gov-west-1", "us-gov-east-1",
  ]

  /// A string a person wrote: no NUL, no other C0 control but tab and line breaks, at most
  /// `maxCharacters` characters.
  public static func textProblem(_ text: String, maxCharacters: Int) -> String? {
    if text.unicodeScalars.contains(where: { $0.value == 0 }) { return "must not contain NUL characters" }
    if text.unicodeScalars.contains(where: { $0.value < 0x20 && ![0x09, 0x0A, 0x0D].contains($0.value) }) {
      return "must not contain control characters"
    }
    // Counting stops early: a 1 GB string costs no more than the limit to refuse.
    var count = 0
    for _ in text {
      count += 1
      if count > maxCharacters { return "must be at most \(maxCharacters) characters" }
    }
    return nil
  }
}
