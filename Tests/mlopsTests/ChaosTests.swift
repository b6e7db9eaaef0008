import Foundation
import TestSupport
import Testing

/// The short version of `mlops bench chaos`: serve (with its embedded PostgreSQL) killed in
/// the middle of the steps that write files. Nothing may be lost, done twice, corrupt or left
/// behind. (The `postgres` scenario, a restart mid-run, still loses a run now and then: a step
/// waits for ever on the database; see the bench.)
@Suite struct ChaosTests {
  @Test func killedMidStepNothingIsLostDoubledOrCorrupt() async throws {
    let directory = try ServeTests.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let bench = try MLOpsProcess(
      ["bench", "chaos", "--iterations", "1", "--steps", "codegen,validators,diff_and_persist", "--scenarios", "serve"],
      environment: ["TMPDIR": directory.path], workingDirectory: directory)
    let status = await bench.waitForExit(timeout: .seconds(900))
    try #require(status == 0, "\(bench.output.suffix(3000))\n\(bench.errors.suffix(3000))")
    let last = try #require(bench.output.split(separator: "\n").last.map(String.init))
    let line = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
    let totals = try #require(line["totals"] as? [String: Int], "\(last)")
    Swift.print(bench.output.split(separator: "\n").suffix(8).joined(separator: "\n"))
    #expect(totals["kills"] == 3)
    #expect(totals["completed"] == 3)
    for figure in ["lost", "doubled", "corrupt", "orphans", "temporary_files_left"] {
      #expect(totals[figure] == 0, "\(figure): \(last)")
    }
  }
}
