import Contracts

/// Keeps what extraction read (from the rules or a model) inside `InputLimits`: a figure out
/// of range ("900000000000 billion requests per second") or a region code nobody knows is
/// treated as not stated, and the Reason Card says so, rather than reaching the critics.
enum ExtractionLimits {
  static func bounded(_ constraints: Mlops_V1_Constraints) -> (constraints: Mlops_V1_Constraints, dropped: [String]) {
    var c = constraints
    var dropped: [String] = []
    func check(_ name: String, _ value: Mlops_V1_NumberValue, _ range: InputLimits.NumberRange, clear: () -> Void) {
      guard !range.contains(value.value) else { return }
      dropped.append("\(name) \(value.value) is outside \(range.text); treated as not stated")
      clear()
    }
    if c.hasLatencyP95Ms { check("latency_p95_ms", c.latencyP95Ms, InputLimits.latencyMilliseconds) { c.clearLatencyP95Ms() } }
    if c.hasThroughputRps { check("throughput_rps", c.throughputRps, InputLimits.throughputRPS) { c.clearThroughputRps() } }
    if c.hasDataVolumeGb { check("data_volume_gb", c.dataVolumeGb, InputLimits.dataVolumeGB) { c.clearDataVolumeGb() } }
    if c.hasDataRows { check("data_rows", c.dataRows, InputLimits.dataRows) { c.clearDataRows() } }
    if c.hasAvailabilityTargetPct {
      check("availability_target_pct", c.availabilityTargetPct, InputLimits.availabilityPercent) {
        c.clearAvailabilityTargetPct()
      }
    }
    if c.hasMonthlyBudget {
      let band = c.monthlyBudget
      let figures = [band.min, band.max, band.minUsd, band.maxUsd]
      if !figures.allSatisfy(InputLimits.budgetUSD.contains) || band.minUsd > band.maxUsd {
        dropped.append(
          "monthly_budget \(band.minUsd)–\(band.maxUsd) USD is outside \(InputLimits.budgetUSD.text); treated as not stated")
        c.clearMonthlyBudget()
      }
    }
    if c.hasAllowedRegions {
      let unknown = c.allowedRegions.values.filter { !InputLimits.awsRegions.contains($0) }
      if !unknown.isEmpty {
        dropped.append("unknown region codes \(unknown.prefix(5).joined(separator: ", ")) left out")
        c.allowedRegions.values.removeAll { !InputLimits.awsRegions.contains($0) }
        if c.allowedRegions.values.isEmpty { c.clearAllowedRegions() }
      }
    }
    return (c, dropped)
  }
}
