import ArgumentParser
import Assembly
import EdgeAPI
import EdgeRuntime
import Foundation
import ServiceKit

/// `mlops storage init`: prepares the artifact store: the local folder, or the S3 bucket with
/// its lifecycle rule that expires bundles after MLOPS_BUNDLE_RETENTION_DAYS.
/// `mlops storage verify`: reads back every stored artifact and checks its SHA-256.
struct StorageCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "storage", abstract: "Manage the artifact store.", subcommands: [Init.self, Verify.self])

  struct Init: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "init",
      abstract: "Create the artifact store (S3: the bucket, and a rule expiring bundles after MLOPS_BUNDLE_RETENTION_DAYS).")

    func run() async throws {
      let variables = ProcessInfo.processInfo.environment
      let configuration = try Configuration(environment: variables)
      let artifacts = try EdgeConfiguration(environment: variables, configuration: configuration).artifacts
      switch artifacts.kind {
      case .local:
        let root = URL(fileURLWithPath: configuration.dataDirectory).appending(path: "artifacts").standardizedFileURL
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        Console.line("local artifact store ready at \(root.path) (bundles are kept until deleted)")
      case .s3:
        let store = try S3ArtifactStore(configuration: artifacts)
        try await store.createBucket(region: artifacts.region)
        try await store.setBundleExpiry(days: artifacts.retentionDays)
        Console.line(
          "s3://\(artifacts.bucket ?? "") ready in \(artifacts.region): bundles expire \(artifacts.retentionDays) days after upload"
        )
      }
    }
  }

  struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "verify",
      abstract: "Read back every artifact the database records as stored and check it against its SHA-256.",
      discussion: "Prints one line per missing or corrupt artifact and a summary; exits 1 when any is.")

    func run() async throws {
      let environment = try ProcessEnvironment.load(label: "storage")
      let store = try ArtifactStores.make(environment.edge.artifacts, dataDirectory: environment.configuration.dataDirectory)
      let entries = try await DatabaseBootstrap.withDatabase(
        configuration: environment.configuration, logger: environment.logger
      ) { client in
        try await ArtifactIntegrity.verifyAll(store: store, client: client, logger: environment.logger)
      }
      var missing = 0
      var corrupt = 0
      for entry in entries {
        let version = entry.version.map { " (decision set \(entry.decisionSetID?.lowercaseString ?? "-") v\($0))" } ?? ""
        switch entry.finding {
        case .intact: continue
        case .missing:
          missing += 1
          Console.line("missing  \(entry.key)\(version)")
        case .corrupt(let actual):
          corrupt += 1
          Console.line("corrupt  \(entry.key)\(version): its bytes hash to \(actual)")
        }
      }
      Console.line("storage verify: \(entries.count - missing - corrupt) intact, \(missing) missing, \(corrupt) corrupt")
      if missing + corrupt > 0 { throw ExitCode(1) }
    }
  }
}
