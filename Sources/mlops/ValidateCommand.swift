import ArgumentParser
import Assembly
import Codegen
import Contracts
import Foundation
import ServiceKit
import SwiftProtobuf

/// `mlops validate FOLDER`: the validators Codegen runs before publishing, on a folder (an
/// unpacked bundle, or a repository someone changed). Prints the report as JSON; exits 1 when
/// a validator failed.
struct ValidateCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "validate", abstract: "Run the bundle validators on a folder and print the report as JSON.")

  @Argument(help: "The folder to validate.")
  var folder: String

  @Option(
    name: .customLong("only"),
    help: "Run only this validator (repeatable): \(ValidatorSuite.Validator.allCases.map(\.rawValue).joined(separator: ", ")).")
  var only: [String] = []

  func run() async throws {
    let variables = ProcessInfo.processInfo.environment
    let configuration = try Configuration(environment: variables)
    var suite = try DomainServices.validators(configuration, CodegenConfiguration(environment: variables).validators)
    if !only.isEmpty {
      var chosen: Set<ValidatorSuite.Validator> = []
      for name in only {
        guard let validator = ValidatorSuite.Validator(rawValue: name) else {
          throw ValidationError(
            "unknown validator \(name.debugDescription); choose from \(ValidatorSuite.Validator.allCases.map(\.rawValue).joined(separator: ", "))"
          )
        }
        chosen.insert(validator)
      }
      suite.only = chosen
    }
    let root = URL(fileURLWithPath: folder).standardizedFileURL
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isFolder), isFolder.boolValue else {
      throw ValidationError("\(folder) is not a folder")
    }
    var files: [Mlops_V1_GeneratedFile] = []
    let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
    while let url = enumerator?.nextObject() as? URL {
      guard (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true else { continue }
      let relative = String(url.standardizedFileURL.path.dropFirst(root.path.count + 1))
      if relative.split(separator: "/").contains(where: { [".git", ".terraform", "__pycache__", ".venv"].contains($0) }) {
        continue
      }
      files.append(
        .with {
          $0.path = relative
          $0.content = (try? Data(contentsOf: url)) ?? Data()
          $0.mode = 0o644
        })
    }
    let report = try await ValidatorSuite(configuration: suite).validate(files)
    Console.line(try ProtoJSON.string(report))
    if !report.passed { throw ExitCode(1) }
  }
}
