import Domain

/// BOM lines for what a plan builds besides its components' own resources: the network's
/// interface endpoints and flow logs, the log archive, the bucket for models. The same
/// `Footprint` decides whether the generated Terraform creates them.
enum PlatformLines {
  static func lines(_ footprint: Footprint) -> [(component: String, template: CapabilityCatalog.Option.BOMLine)] {
    var lines: [(String, CapabilityCatalog.Option.BOMLine)] = []
    if footprint.network {
      if !footprint.interfaceEndpoints.isEmpty {
        lines.append(
          ("network", .init(item: "vpc_interface_endpoint_hours", unit: "endpoint-hour", driver: "interface_endpoint_hours")))
      }
      lines.append(("network", .init(item: "vpc_flow_logs_ingest", unit: "GB", driver: "flow_log_gb")))
    }
    lines.append(("logs", .init(item: "s3_storage", unit: "GB-month", driver: "log_archive_gb")))
    if footprint.separateModelBucket {
      lines.append(("models", .init(item: "s3_storage", unit: "GB-month", driver: "model_bucket_gb")))
    }
    return lines
  }
}
