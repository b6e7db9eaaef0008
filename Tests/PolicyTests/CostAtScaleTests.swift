import Contracts
import Domain
import Foundation
import InProcessPipeline
import Testing

/// The same system from 1 to 100,000 requests a second: every needed capability is planned
/// at every rate, and the estimate per million requests stays flat or falls as volume grows
/// (fixed costs spread, nothing priced per request grows faster than requests).
@Suite struct CostAtScaleTests {
  static let rates: [Double] = [1, 10, 100, 1_000, 10_000, 30_000, 60_000, 100_000]

  static func brief(_ rps: Double, gpu: Bool) -> String {
    "Content moderation classifier for a chat service, online via API, p95 under 200 ms, "
      + "\(Int(rps)) requests per second, us-east-1, internal data, budget $500k a month"
      + (gpu ? ", GPUs required." : ".")
  }

  @Test(arguments: [false, true])
  func costPerMillionRequestsIsFlatOrFallingFromOneToAHundredThousandRequestsASecond(gpu: Bool) async throws {
    var table = [
      "| requests/s | serve | instances | monthly USD | USD per million requests | largest line |", "|---|---|---|---|---|---|",
    ]
    var previous: Double?
    for rps in Self.rates {
      let reviewed = try await ReviewedPlan.make(brief: Self.brief(rps, gpu: gpu))
      #expect(reviewed.constraints.throughputRps.value == rps, "the brief's rate was read")
      for decision in reviewed.plan.decisions where decision.needed {
        #expect(!decision.chosenOption.isEmpty, "\(rps) requests/s: \(decision.capability) has no option")
      }
      let serve = try #require(reviewed.plan.components.first { $0.id == "serve" })
      let instances = ServingCapacity(serve: serve, requestsPerSecond: rps).instances
      let millions = rps * 2_592_000 / 1e6
      let perMillion = reviewed.cost.monthlyUsd / millions
      let largest = try #require(reviewed.cost.breakdown.max { $0.monthlyUsd < $1.monthlyUsd })
      table.append(
        "| \(FigureText.format(rps)) | \(serve.option) | \(instances) | \(String(format: "%.0f", reviewed.cost.monthlyUsd)) | "
          + "\(String(format: "%.2f", perMillion)) | \(largest.item) |")
      if let previous {
        // A cent of rounding either way is not growth.
        #expect(perMillion <= previous + 0.01, "\(rps) requests/s costs \(perMillion) per million, more than \(previous)")
      }
      previous = perMillion
      let log = try #require(reviewed.cost.breakdown.first { $0.item == "cloudwatch_logs_ingest" })
      if rps > RequestLogSampling.fullRate { #expect(log.assumption.contains("one success in")) }
      let audit = try #require(reviewed.cost.breakdown.first { $0.item == "cloudtrail_data_events" })
      #expect(audit.assumption.contains("serving requests are not recorded") || audit.assumption.contains("no data bucket"))
    }
    print((["Cost at scale (\(gpu ? "GPU" : "CPU") serving):"] + table).joined(separator: "\n"))
  }
}
