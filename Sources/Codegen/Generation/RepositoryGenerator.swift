import Contracts
import Crypto
import Domain
import Foundation
import SwiftProtobuf

/// Renders the repository for an approved plan: the same request gives the same files, in
/// the same order, with the same manifest hash.
public struct RepositoryGenerator: Sendable {
  public static let generatorVersion = "mlops-codegen/1"

  public struct Repository: Sendable {
    /// Sorted by path.
    public var files: [Mlops_V1_GeneratedFile]
    public var manifest: Mlops_V1_BundleManifest
  }

  public struct InvalidRequest: Error, CustomStringConvertible {
    public var description: String
  }

  let templates: TemplateLibrary

  public init(templates: TemplateLibrary) {
    self.templates = templates
  }

  public init() throws {
    self.init(templates: try .bundled())
  }

  public func generate(_ request: Mlops_V1_GenerateRequest) throws -> Repository {
    guard !request.plan.components.isEmpty else {
      throw InvalidRequest(description: "the plan has no components; approve a composed plan first")
    }
    let blueprint = Blueprint(request: request)
    let context = TemplateContext.make(blueprint, request: request, generator: Self.generatorVersion)
    var files: [Mlops_V1_GeneratedFile] = []
    let names = templates.names.filter { RepositoryLayout.includes($0, context: context) }
    for name in names where !RepositoryLayout.lateTemplates.contains(name) {
      if name == RepositoryLayout.decisionTemplate {
        for record in DecisionRecords.records(request.reasonCards) {
          files.append(
            Self.file(record.path, text: try templates.render(name, context.merging(record.context) { _, new in new })))
        }
        continue
      }
      files.append(Self.file(TemplateLibrary.outputPath(of: name), text: try templates.render(name, context)))
    }
    // What the documents say about the code is read from the code: the resources behind
    // each cost line, and the checks the Terraform turns off.
    let inventory = TerraformInventory(files: files)
    let costMap = CostResourceMap(
      estimate: request.cost, inventory: inventory, modules: ComponentModules.all(blueprint, plan: request.plan))
    let cost = costMap.annotated(request.cost)
    let policy = PolicyEvidence.verify(request.policy, inventory: inventory)
    var late = TemplateContext.costAndPolicy(cost: cost, policy: policy.report, resources: policy.resources)
    late.merge(SuppressedChecks.context(SuppressedChecks.read(files))) { _, new in new }
    let unpriced = costMap.unpricedResources + costMap.unclassifiedResources
    late["cost_unpriced"] = unpriced
    late["cost_complete"] = unpriced.isEmpty
    for name in RepositoryLayout.lateTemplates where names.contains(name) {
      files.append(
        Self.file(TemplateLibrary.outputPath(of: name), text: try templates.render(name, context.merging(late) { _, new in new }))
      )
    }
    files.append(
      Self.file(
        "reports/policy.json", data: try PolicyReportExport.json(policy.report, resources: policy.resources) + Data("\n".utf8)))
    files.append(Self.file("reports/cost.json", data: try CostReportExport.json(cost) + Data("\n".utf8)))
    files.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
    return Repository(files: files, manifest: BundleManifestBuilder.manifest(for: files, generator: Self.generatorVersion))
  }

  static func file(_ path: String, text: String, mode: UInt32 = 0o644) -> Mlops_V1_GeneratedFile {
    var text = text
    while text.hasSuffix("\n\n") { text.removeLast() }
    if !text.hasSuffix("\n") { text.append("\n") }
    return file(path, data: Data(text.utf8), mode: mode)
  }

  static func file(_ path: String, data: Data, mode: UInt32 = 0o644) -> Mlops_V1_GeneratedFile {
    .with {
      $0.path = path
      $0.content = data
      $0.mode = mode
      $0.sha256 = BundleManifestBuilder.hex(SHA256.hash(data: data))
    }
  }
}
