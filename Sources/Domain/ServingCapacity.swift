import Contracts

/// How many serving instances (tasks, endpoint instances) a plan runs: the one figure the
/// cost estimate prices and the generated infrastructure starts with, so the two cannot
/// disagree. Requests the plan does not state are assumed at 10 per second.
public struct ServingCapacity: Sendable, Equatable {
  /// The component's `min_capacity` setting: what availability asks for.
  public var minimum: Int
  /// Requests per second one instance takes: the serving option's figure from the catalog
  /// (the component's `requests_per_instance` setting); for plans made before it, 50 on
  /// CPU, 100 on a GPU.
  public var requestsPerInstance: Double
  /// The steady count: at least `minimum`, enough for the stated throughput.
  public var instances: Int
  /// Autoscaling's ceiling: twice the steady count, for bursts.
  public var maximum: Int { instances.multipliedReportingOverflow(by: 2).overflow ? instances : instances * 2 }

  /// The most a `min_capacity` setting can ask for.
  public static let minimumLimit = 100
  public static let assumedRequestsPerSecond = 10.0

  public init(serve: Mlops_V1_Component?, requestsPerSecond: Double) {
    minimum = min(max(1, Int(serve?.settings["min_capacity"] ?? "1") ?? 1), Self.minimumLimit)
    if let stated = serve?.settings["requests_per_instance"].flatMap(Double.init), stated >= 1, stated.isFinite {
      requestsPerInstance = stated
    } else {
      requestsPerInstance = serve?.settings["gpu"] == "true" ? 100 : 50
    }
    let needed = (max(0, requestsPerSecond) / requestsPerInstance).rounded(.up)
    instances = max(minimum, needed < Double(Int32.max) ? Int(needed) : Int(Int32.max))
  }

  /// The plan's capacity for the requests the constraints state (none for batch inference,
  /// `assumedRequestsPerSecond` when unstated), as the cost estimate reads them.
  public init(constraints: Mlops_V1_Constraints, plan: Mlops_V1_Plan) {
    self.init(serve: plan.components.first { $0.id == "serve" }, requestsPerSecond: Self.requestsPerSecond(constraints))
  }

  /// The requests a second the estimate and the infrastructure plan for: as stated, none for
  /// batch inference, else `assumedRequestsPerSecond`.
  public static func requestsPerSecond(_ constraints: Mlops_V1_Constraints) -> Double {
    if constraints.hasThroughputRps, constraints.throughputRps.value > 0 { return constraints.throughputRps.value }
    return constraints.inferenceMode.value == .batch ? 0 : assumedRequestsPerSecond
  }
}
