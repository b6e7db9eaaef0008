import Contracts
import Domain
import ServiceKit

/// One option weighed against the constraints: excluded with the reasons, or scored with
/// the reasons behind each point gained or lost.
struct OptionScorer {
  let inputs: PlanningInputs
  let region: String

  struct Verdict {
    var score: Double
    var reasons: [String]
    var excluded: Bool
    /// The constraint fields that exclude the option (`allowed_regions`, `throughput_rps`…).
    var excludedBy: Set<String> = []
  }

  func verdict(_ option: CapabilityCatalog.Option, capability: String) -> Verdict {
    var exclusions: [String] = []
    var excludedBy: Set<String> = []
    let onServingPath = capability == "serve" || capability == "train"
    if !option.runs(in: region) {
      exclusions.append("not offered in \(region)")
      excludedBy.insert("allowed_regions")
    }
    if let dataClass = inputs.dataClass, !option.dataClasses.contains(dataClass) {
      exclusions.append("not suitable for \(dataClass.uppercased()) data" + (option.notes.isEmpty ? "" : ": \(option.notes)"))
      excludedBy.insert("data_class")
    }
    if onServingPath, inputs.gpuRequired == true, option.gpu == "none" {
      exclusions.append("a GPU is required and this option is CPU-only")
      excludedBy.insert("gpu_required")
    }
    if onServingPath, inputs.gpuRequired == false, option.gpu == "required" {
      exclusions.append("GPU-only, and the workload runs on CPUs")
      excludedBy.insert("gpu_required")
    }
    if let mode = inputs.mode, !option.modes.contains(mode) {
      exclusions.append("made for \(option.modes.joined(separator: "/")) systems, not \(mode) ones")
      excludedBy.insert("inference_mode")
    }
    if let rps = inputs.throughputRps, option.throughputRps.max > 0, rps > option.throughputRps.max {
      exclusions.append(
        "handles up to \(Int(saturating: option.throughputRps.max)) requests/s, below the \(FigureText.format(rps)) needed")
      excludedBy.insert("throughput_rps")
    }
    if !exclusions.isEmpty { return Verdict(score: 0, reasons: exclusions, excluded: true, excludedBy: excludedBy) }

    var score = 0.5
    var reasons: [String] = []
    let modeMatters = ["ingest", "transform", "feature", "serve"].contains(capability)
    if modeMatters, let mode = inputs.mode, option.modes.first == mode {
      score += 0.1
      reasons.append("built for \(mode) inference")
    }
    if inputs.waitsPerRequest, let slo = inputs.latencyMs, option.p95Ms > 0, capability == "serve" || capability == "feature" {
      if option.p95Ms > slo {
        score -= 0.4
        reasons.append("typical p95 \(FigureText.format(option.p95Ms)) ms exceeds the \(FigureText.format(slo)) ms target")
      } else if option.p95Ms <= slo / 2 {
        score += 0.15
        reasons.append("typical p95 \(FigureText.format(option.p95Ms)) ms leaves room under \(FigureText.format(slo)) ms")
      } else {
        score += 0.05
        reasons.append("typical p95 \(FigureText.format(option.p95Ms)) ms fits \(FigureText.format(slo)) ms with little margin")
      }
    }
    if let target = inputs.availabilityPct, ["serve", "feature", "store"].contains(capability) {
      if option.availabilityPct >= target {
        score += 0.1
        reasons.append("\(FigureText.format(option.availabilityPct))% availability meets \(FigureText.format(target))%")
      } else {
        score -= 0.2
        reasons.append("\(FigureText.format(option.availabilityPct))% availability is below \(FigureText.format(target))%")
      }
    }
    score += 0.05 * Double(3 - option.opsComplexity)
    let effort =
      option.opsComplexity <= 1 ? "little to operate" : option.opsComplexity >= 4 ? "operationally heavy" : "moderate to operate"
    reasons.append("\(effort) (complexity \(option.opsComplexity)/5, cost tier \(option.costTier)/5)")
    if let tier = inputs.affordableTier {
      if option.costTier > tier {
        score -= 0.08 * Double(option.costTier - tier)
        reasons.append("cost tier \(option.costTier) is above what the budget comfortably pays for (\(tier))")
      } else {
        score += 0.05
        reasons.append("fits the budget band")
      }
    }
    let preferred = inputs.stack.intersection(option.stackTags).sorted()
    if !preferred.isEmpty {
      score += 0.2
      reasons.append("matches the preferred \(preferred.joined(separator: ", "))")
    }
    if onServingPath, inputs.gpuRequired == true {
      if option.gpu == "required" { score += 0.1; reasons.append("GPU instances") }
      if option.gpu == "optional" { score += 0.05; reasons.append("GPU instances available") }
    }
    if onServingPath, inputs.gpuRequired == nil, option.gpu == "required" {
      score -= 0.3
      reasons.append("GPU-only, and no GPU need was stated")
    }
    if let rps = inputs.throughputRps, let perInstance = option.requestsPerInstance, rps > perInstance {
      let instances = Int(saturating: (rps / perInstance).rounded(.up))
      reasons.append(
        "scales out to \(instances) instances at \(FigureText.format(perInstance)) requests/s each for \(FigureText.format(rps)) requests/s"
      )
    }
    if let rps = inputs.throughputRps, option.throughputRps.max > 0, rps > 0.7 * option.throughputRps.max {
      score -= 0.1
      reasons.append("little headroom over \(FigureText.format(rps)) requests/s")
    }
    return Verdict(score: (min(max(score, 0), 1) * 1000).rounded() / 1000, reasons: reasons, excluded: false)
  }
}
