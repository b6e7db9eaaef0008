import Foundation
import ServiceKit

/// Codegen's own settings: where its templates come from and how its validators run. Read
/// from the environment beside the process-wide `Configuration` (which holds the validator
/// timeout, because Edge's deadlines are built on it too).
public struct CodegenConfiguration: Sendable, Equatable {
  /// `MLOPS_TEMPLATES_DIR`: Codegen's templates from this folder instead of the built-in ones
  /// (same layout as `Sources/Codegen/Resources/templates`).
  public var templatesDirectory: String?
  /// The validators Codegen runs (`MLOPS_TOOLS_DIR`, `TF_PLUGIN_DIR`, `MLOPS_VALIDATORS`,
  /// `MLOPS_CODEGEN_SIGNING_KEY`).
  public var validators = ValidatorConfiguration()

  public init() {}

  /// Where a machine keeps a Terraform provider mirror when `TF_PLUGIN_DIR` does not say:
  /// the one `scripts/test` uses.
  public static let knownProviderMirrors = ["/opt/tf-plugins"]

  /// Reads the environment; an empty variable counts as unset. Without `TF_PLUGIN_DIR` the
  /// first of `providerMirrors` that exists is used, so every topology (`mlops serve`,
  /// `mlops codegen`, `mlops run --embedded`) runs terraform init and validate where a
  /// mirror is installed, instead of reporting them skipped.
  public init(environment: [String: String], providerMirrors: [String] = knownProviderMirrors) {
    let reader = EnvironmentReader(environment)
    templatesDirectory = reader.value("MLOPS_TEMPLATES_DIR")
    validators.toolsDirectory = reader.value("MLOPS_TOOLS_DIR")
    var isFolder: ObjCBool = false
    validators.terraformPluginDirectory =
      reader.value("TF_PLUGIN_DIR")
      ?? providerMirrors.first { FileManager.default.fileExists(atPath: $0, isDirectory: &isFolder) && isFolder.boolValue }
    validators.only = reader.value("MLOPS_VALIDATORS").map {
      $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
    validators.signingKey = reader.value("MLOPS_CODEGEN_SIGNING_KEY")
    validators.cacheDirectory = reader.value("MLOPS_VALIDATOR_CACHE")
  }
}

/// The validators Codegen runs on a generated repository.
public struct ValidatorConfiguration: Sendable, Equatable {
  /// `MLOPS_TOOLS_DIR`: searched for ruff, mypy, pytest, check-jsonschema and terraform
  /// before PATH; default `.venv/bin` when that folder exists.
  public var toolsDirectory: String?
  /// `TF_PLUGIN_DIR`: a local provider mirror for `terraform init -plugin-dir` (default: a
  /// known mirror on this machine, see `CodegenConfiguration.knownProviderMirrors`).
  public var terraformPluginDirectory: String?
  /// `MLOPS_CODEGEN_SIGNING_KEY`: the key Codegen signs its manifests with (every Codegen
  /// replica needs the same one); unset: a random key kept in the data directory.
  public var signingKey: String?
  /// `MLOPS_VALIDATOR_CACHE`: where the validators keep what they reuse between runs (mypy's
  /// cache, each bundle's venv by the sha256 of its lock); default the data directory's
  /// `validator-cache`.
  public var cacheDirectory: String?
  /// `MLOPS_VALIDATORS`: run only these validators (comma-separated names, e.g. `secret-scan`);
  /// unset runs them all. The others are left out of the report, not reported as passed.
  public var only: [String]?

  public init() {}
}
