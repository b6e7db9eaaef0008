import Contracts
import Domain
import Foundation
import ServiceKit

/// The usage figures BOM quantities follow, derived from the constraints and the plan, each
/// with the assumption behind it in words, so no line is priced on an unstated guess.
struct UsageModel {
  struct Figure {
    var value: Double
    var assumption: String
  }

  private(set) var figures: [String: Figure] = [:]

  static let hoursPerMonth = 730.0
  static let secondsPerMonth = 2_592_000.0

  init(constraints c: Mlops_V1_Constraints, plan: Mlops_V1_Plan) {
    let batch = c.inferenceMode.value == .batch
    let rps: Double
    let rpsSource: String
    if c.hasThroughputRps, c.throughputRps.value > 0 {
      rps = c.throughputRps.value
      rpsSource = "\(FigureText.format(rps)) requests/s as stated"
    } else if batch {
      rps = 0
      rpsSource = "no online requests (batch inference)"
    } else {
      rps = ServingCapacity.assumedRequestsPerSecond
      rpsSource = "10 requests/s assumed (no throughput stated)"
    }
    let requests = rps * Self.secondsPerMonth
    let dataGB = c.hasDataVolumeGb && c.dataVolumeGb.value > 0 ? c.dataVolumeGb.value : 100
    let dataSource =
      c.hasDataVolumeGb ? "\(FigureText.format(dataGB)) GB of data as stated" : "100 GB of data assumed (no volume stated)"
    let (retrains, cadence) = Self.retrainsPerMonth(c)
    let serve = plan.components.first { $0.id == "serve" }
    let capacity = ServingCapacity(serve: serve, requestsPerSecond: rps)
    let minimum = capacity.minimum
    let perInstance = capacity.requestsPerInstance
    let instances = Double(capacity.instances)
    let hoursPerRun = min(24, 1 + dataGB / 500)
    let rows = c.hasDataRows ? c.dataRows.value : 0

    set("one", 1, "one per month")
    set("hours_per_month", Self.hoursPerMonth, "running all month (730 hours)")
    set(
      "serve_instance_hours", batch ? 0 : instances * Self.hoursPerMonth,
      batch
        ? "no always-on serving (batch inference)"
        : "\(Int(saturating: instances)) instance(s) all month: at least \(minimum) for availability, \(Int(saturating: perInstance)) requests/s each; \(rpsSource)"
    )
    set("serve_gb_seconds", requests * 0.1 * 2, "\(rpsSource), 100 ms at 2 GB each")
    set("serve_mega_requests", requests / 1e6, "\(rpsSource), 30 days")
    set("egress_gb", requests * 2 / 1e6, "\(rpsSource), 2 KB per response leaving AWS")
    set("data_gb", dataGB, dataSource)
    set("ingest_gb", max(1, dataGB * 0.1), "\(dataSource), growing 10% a month")
    set("ingest_kilo_requests", max(1, dataGB * 0.1), "\(dataSource), growing 10% a month in 1 MB objects")
    set("ingest_mega_requests", requests / 1e6 + 1, "a feature write per prediction (\(rpsSource)) plus 1M loads")
    set("feature_gb", dataGB * 0.1, "features take a tenth of the \(FigureText.format(dataGB)) GB of data")
    set("scan_tb", dataGB / 1000 * retrains, "the data scanned once per retraining (\(cadence))")
    set(
      "training_hours", retrains * hoursPerRun,
      "\(cadence), \(FigureText.format(hoursPerRun)) hour(s) a run for \(FigureText.format(dataGB)) GB")
    set("transform_hours", retrains * 0.5 + 30 * 0.25, "a 15-minute daily load plus 30 minutes per retraining (\(cadence))")
    set("transform_gb_seconds", max(1, dataGB * 0.1) * 1000 * 0.5, "half a GB-second per 1 MB object landed")
    set(
      "batch_hours", batch ? 30 * max(1, rows / 10_000_000) : 0,
      batch
        ? "a nightly run of \(FigureText.format(max(1, rows / 10_000_000))) hour(s)"
          + (rows > 0 ? " for \(FigureText.format(rows)) rows" : " (rows not stated)")
        : "no batch scoring (online inference)")
    let sampling = RequestLogSampling(requestsPerSecond: rps)
    let logged = sampling.loggedPerSecond(rps) * Self.secondsPerMonth
    set(
      "log_gb", logged / 1e6 + 5,
      sampling.every > 1
        ? "1 KB per logged request: one success in \(sampling.every) of \(rpsSource) (about \(FigureText.format(RequestLogSampling.fullRate)) a second) and every error (\(FigureText.format(RequestLogSampling.assumedErrorRate * 100))% assumed), plus 5 GB of service logs"
        : "1 KB of logs per request (\(rpsSource)) plus 5 GB of service logs")
    set("monitor_hours", Self.hoursPerMonth * 0.1, "an hourly monitoring job of 6 minutes")
    set("metric_ten_mega_samples", 10, "about 100M metric samples a month for a small fleet")
    let built = Footprint(constraints: c, plan: plan)
    let zones = "\(built.availabilityZones) zone(s)"
    set(
      "database_instance_hours", Double(built.databaseInstances) * Self.hoursPerMonth,
      built.multiAZDatabase ? "a primary and a standby in a second zone, all month" : "one instance all month")
    set(
      "database_storage_gb", Double(built.databaseStorageGB), "a gp3 volume the size of the data (\(dataSource)), 20 GB at least")
    set(
      "kafka_broker_hours", Double(built.kafkaBrokers) * Self.hoursPerMonth,
      "\(built.kafkaBrokers) brokers, one per zone, all month")
    set(
      "kafka_storage_gb", Double(built.kafkaBrokers * built.kafkaVolumeGB),
      "\(built.kafkaBrokers) brokers × \(built.kafkaVolumeGB) GB volumes (a tenth of the data, 100 GB at least)")
    set("cache_node_hours", Double(built.cacheNodes) * Self.hoursPerMonth, "\(built.cacheNodes) nodes in two zones, all month")
    set(
      "kms_keys", Double(built.kmsKeys),
      built.kmsKeys > 0 ? "one customer-managed key" : "no customer-managed key (AWS-managed keys)")
    set("alarms", Double(built.alarms), "the service's error alarm")
    set(
      "interface_endpoint_hours", Double(built.interfaceEndpoints.count * built.availabilityZones) * Self.hoursPerMonth,
      "\(built.interfaceEndpoints.count) interface endpoints (\(built.interfaceEndpoints.joined(separator: ", "))) in \(zones), all month"
    )
    // A flow record covers a connection per 10-minute window, not a request: with clients
    // reusing connections, about one record (100 bytes) per ten requests.
    set(
      "flow_log_gb", built.network ? requests / 1e6 * 0.01 + 2 : 0,
      "flow records: 2 GB a month plus about 100 bytes per ten requests (\(rpsSource))")
    set("log_archive_gb", requests / 1e6 * 0.5 + 1, "access logs: 1 GB a month plus 0.5 KB per request (\(rpsSource))")
    set("model_bucket_gb", 10, "model artifacts and training snapshots, 10 GB assumed")
    // The trail records object events on the data buckets only (see the audit module):
    // serving requests never touch them, objects landed and read by retraining do.
    let dataBuckets = plan.components.contains { Footprint.bucketOptions.contains($0.option) }
    let landed = dataBuckets ? max(1, dataGB * 0.1) * 1000 : 0
    let read = dataBuckets ? dataGB * 1000 * retrains : 0
    set(
      "audit_hundred_kilo_events", (landed + read + 10_000) / 100_000,
      dataBuckets
        ? "S3 object events on the data buckets: \(FigureText.format(landed)) objects landed and \(FigureText.format(read.rounded())) read by retraining (1 MB objects, \(cadence)), plus 10,000 others; serving requests are not recorded"
        : "no data bucket to record object events on; 10,000 events a month on the model bucket assumed")
  }

  private mutating func set(_ name: String, _ value: Double, _ assumption: String) {
    figures[name] = Figure(value: value, assumption: assumption)
  }

  func figure(_ driver: String) -> Figure? { figures[driver] }

  static func retrainsPerMonth(_ c: Mlops_V1_Constraints) -> (Double, String) {
    guard c.hasRetrainCadence else { return (4.33, "weekly retraining assumed") }
    switch c.retrainCadence.value {
    case .hourly: return (730, "hourly retraining")
    case .daily: return (30, "daily retraining")
    case .weekly: return (4.33, "weekly retraining")
    case .monthly: return (1, "monthly retraining")
    case .quarterly: return (0.33, "quarterly retraining")
    case .onDemand: return (2, "on-demand retraining, twice a month assumed")
    default: return (4.33, "weekly retraining assumed")
    }
  }
}
