import Assembly
import EdgeAPI
import EdgeRuntime
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// A scratch database for one benchmark: created on the configured server, migrated, and
/// dropped afterwards.
enum BenchDatabase {
  static func withScratch<T: Sendable>(
    environment: ProcessEnvironment, _ body: @Sendable (PostgresClient) async throws -> T
  ) async throws -> T {
    try await withScratch(environment: environment) { client, _ in try await body(client) }
  }

  /// As above, with the scratch database's URL for processes the benchmark starts.
  static func withScratch<T: Sendable>(
    environment: ProcessEnvironment, _ body: @Sendable (PostgresClient, DatabaseURL) async throws -> T
  ) async throws -> T {
    let logger = environment.logger
    let prepared = try await DatabaseBootstrap.prepare(configuration: environment.configuration, logger: logger)
    let name = "bench_" + UUID().lowercaseString.replacingOccurrences(of: "-", with: "").prefix(12)
    var scratch = prepared.url
    scratch.database = String(name)
    do {
      try await prepared.url.withRunningClient(logger: logger) { admin in
        try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
      }
      let scratchURL = scratch
      let result = try await scratch.withRunningClient(logger: logger, maximumConnections: 32) { client in
        try await Migrator(client: client, migrations: try Migration.bundled(), logger: logger).migrate()
        return try await body(client, scratchURL)
      }
      try await prepared.url.withRunningClient(logger: logger) { admin in
        try await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
      }
      await prepared.release(logger: logger)
      return result
    } catch {
      await prepared.release(logger: logger)
      throw error
    }
  }
}

/// Latency percentiles over a sample.
struct Percentiles {
  var sorted: [Double]
  init(_ samples: [Double]) { sorted = samples.sorted() }
  func value(_ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let rank = Int(saturating: (p / 100 * Double(sorted.count - 1)).rounded())
    return sorted[min(max(rank, 0), sorted.count - 1)]
  }
}

/// Prints rows as an aligned table.
func printTable(_ header: [String], _ rows: [[String]]) {
  let widths = header.indices.map { column in
    ([header[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0
  }
  func line(_ cells: [String]) -> String {
    cells.enumerated().map { index, cell in
      index == 0
        ? cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
        : String(repeating: " ", count: widths[index] - cell.count) + cell
    }.joined(separator: "  ")
  }
  Console.line(line(header))
  Console.line(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
  for row in rows { Console.line(line(row)) }
}

func jsonLine(_ object: [String: Any]) -> String {
  let data = (try? SortedJSON.data(object)) ?? Data("{}".utf8)
  return String(decoding: data, as: UTF8.self)
}

func formatted(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }
