import Contracts
import Domain

/// What the generated repository has to be, read off the approved plan and constraints:
/// the facts every template and the file layout decide on. Plain data, derived once.
public struct Blueprint: Sendable, Equatable {
  public enum Payload: String, Sendable { case tabular, text, image }
  public enum Prediction: String, Sendable { case label, value, series, anomaly, ranking, text }
  public enum Serving: String, Sendable { case ecs, sagemaker, sagemakerServerless, batchTransform, lambda, none }
  public enum Database: String, Sendable { case postgres, dynamodb, none }

  public struct Bucket: Sendable, Equatable {
    public var componentID: String
    public var purpose: String
    public var retentionDays: Int
  }

  public var projectName: String
  /// Lower-case letters, digits and dashes: names resources and the Docker image.
  public var slug: String
  public var version: Int
  public var problem: String
  public var inferenceMode: String
  public var payload: Payload
  public var prediction: Prediction
  public var latencyP95Milliseconds: Double?
  public var throughputRPS: Double?
  public var dataClass: String
  public var sensitiveData: Bool
  public var primaryRegion: String
  public var allowedRegions: [String]
  public var retrainCadence: String
  public var gpu: Bool
  public var serving: Serving
  public var servingOption: String
  /// The serving instances the cost estimate prices, and autoscaling's ceiling above them.
  public var capacity: ServingCapacity
  /// The request log's sampling the service is configured with (and the estimate priced).
  public var logSampling: RequestLogSampling
  public var database: Database
  public var buckets: [Bucket]
  public var ingestOption: String
  public var transformOption: String
  public var trainOption: String
  public var featureOption: String
  public var observeOption: String
  public var governOption: String
  /// The network, endpoints, instance and node counts the cost estimate priced.
  public var footprint: Footprint
  /// Encrypt with a customer-managed KMS key (the data class asks for it).
  public var customerManagedKey: Bool { footprint.kmsKeys > 0 }
  /// Keep traffic on private subnets (the data class asks for it).
  public var privateNetworking: Bool { footprint.privateNetworking }
  /// A VPC is needed: private networking, or a component that only runs inside one.
  public var network: Bool { footprint.network }
  public var reviewNotes: [String]
  /// The model is served by SageMaker, which unpacks it into /opt/ml/model.
  public var servesOnSageMaker: Bool { [.sagemaker, .sagemakerServerless, .batchTransform].contains(serving) }
  /// Libraries and services the brief asked for by name (xgboost, lightgbm, ...).
  public var stackPreferences: [String]
  /// The one environment the workflows deploy and Terraform names its resources after.
  public var deployEnvironment = "production"

  public init(request: Mlops_V1_GenerateRequest) {
    let constraints = request.constraints
    let plan = request.plan
    let components = Dictionary(plan.components.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    func option(_ id: String) -> String { components[id]?.option ?? "" }

    projectName = request.projectName.isEmpty ? "ml-system" : request.projectName
    slug = Self.slug(projectName)
    version = Int(request.version)
    problem =
      constraints.hasProblemType ? ProtoNames.name(constraints.problemType.value, in: ProtoNames.problemType) : "classification"
    inferenceMode =
      constraints.hasInferenceMode ? ProtoNames.name(constraints.inferenceMode.value, in: ProtoNames.inferenceMode) : "online"
    payload =
      switch constraints.problemType.value {
      case .nlp, .generative: .text
      case .computerVision: .image
      default: .tabular
      }
    prediction =
      switch constraints.problemType.value {
      case .regression: .value
      case .forecasting: .series
      case .anomalyDetection: .anomaly
      case .recommendation, .ranking: .ranking
      case .generative: .text
      default: .label
      }
    latencyP95Milliseconds = constraints.hasLatencyP95Ms ? constraints.latencyP95Ms.value : nil
    throughputRPS = constraints.hasThroughputRps ? constraints.throughputRps.value : nil
    dataClass = constraints.hasDataClass ? ProtoNames.name(constraints.dataClass.value, in: ProtoNames.dataClass) : "internal"
    sensitiveData = [.pii, .phi, .pci, .confidential].contains(constraints.dataClass.value)
    primaryRegion = plan.primaryRegion.isEmpty ? "us-east-1" : plan.primaryRegion
    allowedRegions = constraints.allowedRegions.values.isEmpty ? [primaryRegion] : constraints.allowedRegions.values.sorted()
    retrainCadence = Self.cadence(constraints.retrainCadence.value)
    gpu = constraints.gpuRequired.value || plan.components.contains { $0.settings["gpu"] == "true" }
    servingOption = option("serve")
    serving =
      switch servingOption {
      case "ecs_fargate_service": .ecs
      case "sagemaker_realtime_endpoint", "sagemaker_gpu_endpoint": .sagemaker
      case "sagemaker_serverless": .sagemakerServerless
      case "sagemaker_batch_transform": .batchTransform
      case "lambda_container": .lambda
      default: .none
      }
    capacity = ServingCapacity(constraints: constraints, plan: plan)
    logSampling = RequestLogSampling(constraints: constraints)
    database =
      switch option("store") {
      case "rds_postgres": .postgres
      case "dynamodb": .dynamodb
      default: .none
      }
    footprint = Footprint(constraints: constraints, plan: plan)
    buckets = plan.components
      .filter { Footprint.bucketOptions.contains($0.option) }
      .map { component in
        let days = Int(component.settings["retention_days"] ?? "") ?? 365
        return Bucket(componentID: component.id, purpose: component.displayName, retentionDays: min(max(days, 1), 3_650))
      }
    if footprint.separateModelBucket {
      // Models and training data need a home even when the store is a database.
      buckets.append(Bucket(componentID: "models", purpose: "Model artifacts", retentionDays: 365))
    }
    ingestOption = option("ingest")
    transformOption = option("transform")
    trainOption = option("train")
    featureOption = option("feature")
    observeOption = option("observe")
    governOption = option("govern")
    reviewNotes = constraints.reviewNotes.map(\.value).filter { !$0.isEmpty }
    stackPreferences = constraints.stackPreferences.values
  }

  static func slug(_ name: String) -> String {
    var slug = ""
    for character in name.lowercased() {
      if character.isASCII, character.isLetter || character.isNumber {
        slug.append(character)
      } else if !slug.isEmpty, slug.last != "-" {
        slug.append("-")
      }
    }
    while slug.last == "-" { slug.removeLast() }
    if slug.isEmpty || !(slug.first?.isLetter ?? false) { slug = "ml-" + slug }
    return String(slug.prefix(24)).trimmingCharacters(in: ["-"])
  }

  static func cadence(_ cadence: Mlops_V1_RetrainCadence) -> String {
    switch cadence {
    case .hourly: "hourly"
    case .daily: "daily"
    case .weekly: "weekly"
    case .monthly: "monthly"
    case .quarterly: "quarterly"
    case .onDemand: "on_demand"
    default: "weekly"
    }
  }
}
