import Contracts

/// What a plan builds beyond its components' own resources, and how many of each: the
/// network, its interface endpoints, database instances and storage, Kafka brokers, cache
/// nodes. Read off the plan once, so the cost estimate prices what the generated Terraform
/// creates and the two cannot drift apart.
public struct Footprint: Sendable, Equatable {
  /// A VPC is needed: private networking, or a component that only runs inside one.
  public var network: Bool
  /// Keep traffic on private subnets (the data class asks for it).
  public var privateNetworking: Bool
  /// Availability zones of the private subnets: one per Kafka broker when there is Kafka.
  public var availabilityZones: Int
  /// The AWS APIs reached through interface endpoints (one per zone each), for the
  /// containers and the database in the private subnets.
  public var interfaceEndpoints: [String]
  public var databaseInstances: Int
  public var databaseStorageGB: Int
  public var kafkaBrokers: Int
  /// Each broker's EBS volume.
  public var kafkaVolumeGB: Int
  public var cacheNodes: Int
  /// Customer-managed KMS keys: one, when the data class or a component asks for it.
  public var kmsKeys: Int
  /// A bucket for models and training data, when the store is not itself a bucket.
  public var separateModelBucket: Bool
  /// CloudWatch alarms: the service's error alarm.
  public var alarms: Int

  public static let kafkaBrokerCount = 3
  public static let cacheNodeCount = 2
  /// The options that are an S3 bucket of their own.
  public static let bucketOptions: Set<String> = ["s3_landing", "s3_data_lake", "s3_offline_features"]

  public init(constraints: Mlops_V1_Constraints, plan: Mlops_V1_Plan) {
    func option(_ id: String) -> String { plan.components.first { $0.id == id }?.option ?? "" }
    let sensitive = [.pii, .phi, .pci, .confidential].contains(constraints.dataClass.value)
    privateNetworking = plan.components.contains { $0.settings["private_networking"] == "true" }
    let containersInVPC = option("serve") == "ecs_fargate_service" || option("train") == "fargate_training_task"
    let postgres = option("store") == "rds_postgres"
    let kafka = option("ingest") == "msk_kafka"
    let cache = option("feature") == "elasticache_redis"
    network = privateNetworking || containersInVPC || postgres || kafka || cache
    kafkaBrokers = kafka ? Self.kafkaBrokerCount : 0
    availabilityZones = network ? (kafka ? Self.kafkaBrokerCount : 2) : 0
    var endpoints: [String] = []
    if containersInVPC { endpoints += ["ecr.api", "ecr.dkr", "logs", "sts"] }
    if postgres { endpoints.append("secretsmanager") }
    interfaceEndpoints = network ? endpoints : []
    let multiAZ = plan.components.first { $0.id == "store" }?.settings["multi_az"] == "true" || sensitive
    databaseInstances = postgres ? (multiAZ ? 2 : 1) : 0
    let dataGB = constraints.hasDataVolumeGb && constraints.dataVolumeGb.value > 0 ? constraints.dataVolumeGb.value : 100
    // RDS gp3 volumes take 20 GB to 64 TB.
    databaseStorageGB = postgres ? Int(min(max(dataGB.rounded(.up), 20), 65_536)) : 0
    kafkaVolumeGB = kafka ? Int(min(max((dataGB * 0.1).rounded(.up), 100), 16_384)) : 0
    cacheNodes = cache ? Self.cacheNodeCount : 0
    kmsKeys = sensitive || plan.components.contains { $0.settings["encryption"] == "kms" } ? 1 : 0
    separateModelBucket = !Self.bucketOptions.contains(option("store"))
    alarms = 1
  }

  /// The database runs a standby in a second zone.
  public var multiAZDatabase: Bool { databaseInstances > 1 }
}
