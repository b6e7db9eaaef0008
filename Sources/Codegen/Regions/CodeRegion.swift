import Contracts
import Foundation

/// A module of the bundle that a code provider may rewrite whole: what it is for, what the
/// rest of the bundle calls in it, and the packages its code may import. Its first line is
/// the marker that names the region and who wrote it.
struct CodeRegion: Sendable, Equatable {
  var name: String
  var path: String
  var purpose: String
  /// Top-level functions the rest of the bundle calls, with the signature it calls them by.
  var contract: [String]
  /// The roots of the modules its imports may name.
  var importRoots: Set<String>

  static let marker = "# mlops:region "

  /// Packages every region may import: the standard library's pure parts, the bundle's
  /// scientific stack and its own `pipeline` package.
  static let commonImports: Set<String> = [
    "__future__", "collections", "dataclasses", "functools", "itertools", "math", "typing", "numpy", "pandas", "scipy",
    "sklearn", "pipeline",
  ]

  /// Learners a bundle may pin besides scikit-learn; a region may import one only when the
  /// bundle's lock installs it.
  static let optionalLearners = ["xgboost", "lightgbm"]

  static let featureEngineering = CodeRegion(
    name: "feature-engineering", path: "pipelines/training/pipeline/feature_engineering.py",
    purpose:
      "Turns the schema's feature columns into numbers inside the model (a scikit-learn ColumnTransformer "
      + "fitted on the training split only). Text columns come in as strings and images as base64 PNG or JPEG; "
      + "pipeline.encoders has as_text and decode_images for them.",
    contract: ["def transformer(schema: DatasetSchema) -> ColumnTransformer"],
    importRoots: commonImports)

  static let modelChoice = CodeRegion(
    name: "model-choice", path: "pipelines/training/pipeline/learners.py",
    purpose:
      "Chooses the learning algorithm for each kind of estimator the tasks fit, seeded with the number given. "
      + "classifier() must have predict_proba; tree_* are used where feature effects interact (ranking) or for "
      + "lagged series (forecasting).",
    contract: [
      "def classifier(seed: int) -> Any", "def regressor(seed: int) -> Any", "def tree_classifier(seed: int) -> Any",
      "def tree_regressor(seed: int) -> Any",
    ],
    importRoots: commonImports)

  static let all = [featureEngineering, modelChoice]

  /// The regions this bundle has, each allowed the optional learners its lock pins.
  static func regions(in files: [Mlops_V1_GeneratedFile]) -> [CodeRegion] {
    let lock = files.first { $0.path == BundleEnvironment.lockFile }.map { String(decoding: $0.content, as: UTF8.self) } ?? ""
    let pinned = Set(lock.split(separator: "\n").compactMap { $0.split(separator: "=").first.map(String.init) })
    // A learner may be pinned under a build's own name (xgboost-cpu) and imported as xgboost.
    let learners = Set(optionalLearners.filter { learner in pinned.contains { $0 == learner || $0.hasPrefix(learner + "-") } })
    return all.filter { region in files.contains { $0.path == region.path } }.map { region in
      var region = region
      region.importRoots.formUnion(learners)
      return region
    }
  }

  /// The function names the contract promises, e.g. `classifier`.
  var contractNames: [String] {
    contract.compactMap { line in
      line.dropFirst("def ".count).split(separator: "(").first.map(String.init)
    }
  }

  /// The module as the bundle holds it, without its marker line.
  func body(in files: [Mlops_V1_GeneratedFile]) -> String? {
    guard let file = files.first(where: { $0.path == path }) else { return nil }
    let text = String(decoding: file.content, as: UTF8.self)
    guard text.hasPrefix(Self.marker), let newline = text.firstIndex(of: "\n") else { return text }
    return String(text[text.index(after: newline)...])
  }

  /// The marker line for code a provider wrote, e.g. `# mlops:region model-choice: written by
  /// openai model gpt-4o (attempt 2), kept because ruff check, mypy and pytest passed`.
  func marker(writtenBy provider: String, model: String, attempt: Int, checks: [String]) -> String {
    "\(Self.marker)\(name): written by \(Self.plain(provider)) model \(Self.plain(model)) (attempt \(attempt)), "
      + "kept because \(checks.joined(separator: ", ")) passed"
  }

  /// A configured name as comment text: printable ASCII of a name's alphabet only, one line.
  static func plain(_ text: String) -> String {
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:/@+-")
    let kept = String(text.filter { allowed.contains($0) }.prefix(80))
    return kept.isEmpty ? "unnamed" : kept
  }
}
