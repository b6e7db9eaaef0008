import Assembly
import ServiceKit

/// Times rounds of calls, one after the other: `round` runs round `index` and returns each
/// call's milliseconds by name; the first rounds warm up and are not kept.
func timedRounds(
  _ count: Int, warmUp: Int = 20, _ round: (Int) async throws -> [(String, Double)]
) async rethrows -> [String: [Double]] {
  var samples: [String: [Double]] = [:]
  for index in 0..<(count + warmUp) {
    let timings = try await round(index)
    guard index >= warmUp else { continue }
    for (name, milliseconds) in timings { samples[name, default: []].append(milliseconds) }
  }
  return samples
}

/// Milliseconds `body` took, with what it returned.
func timed<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
  let started = ContinuousClock.now
  let result = try await body()
  return (result, (ContinuousClock.now - started).milliseconds)
}
