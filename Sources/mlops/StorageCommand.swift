import ArgumentParser
import EdgeAPI
import EdgeRuntime
import Foundation
import ServiceKit

/// `mlops storage init`: prepares the artifact store: the local folder, or the S3 bucket with
/// its lifecycle rule that expires bundles after MLOPS_BUNDLE_RETENTION_DAYS.
struct StorageCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "storage", abstract: "Manage the artifact store.", subcommands: [Init.self])

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
}
