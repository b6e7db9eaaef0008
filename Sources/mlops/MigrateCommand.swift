import ArgumentParser
import Assembly
import EdgeAPI
import EdgeRuntime
import Foundation
import PostgresNIO
import ServiceKit

struct MigrateCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "migrate",
    abstract: "Apply pending database migrations, then exit.",
    discussion: "Safe to run while other processes start: an advisory lock applies each migration once.")

  func run() async throws {
    let environment = try ProcessEnvironment.load(label: "migrate")
    let applied = try await DatabaseBootstrap.withDatabase(
      configuration: environment.configuration, logger: environment.logger
    ) { client in
      try await Migrator(client: client, migrations: try Migration.bundled(), logger: environment.logger).migrate()
    }
    Console.line(
      applied.isEmpty ? "migrate: up to date" : "migrate: applied \(applied.map(String.init).joined(separator: ", "))")
  }
}
