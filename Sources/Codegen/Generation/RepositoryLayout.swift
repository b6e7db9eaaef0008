/// Which templates a repository includes: the Terraform modules of the chosen components
/// only, and one decision record per decision.
enum RepositoryLayout {
  /// Rendered once per decision record, not at its own path.
  static let decisionTemplate = "docs/adr/decision.md"
  /// Rendered after the Terraform, from what it says: the cost lines with the resources
  /// behind each, the checks the Terraform turns off.
  static let lateTemplates = ["docs/cost.md", "docs/policy.md", "reports/index.md"]

  /// Template folders that exist only when the context's flag is true.
  static let conditionalFolders: [(prefix: String, flag: String)] = [
    ("infra/terraform/modules/kms/", "kms"),
    ("infra/terraform/modules/network/", "network"),
    ("infra/terraform/modules/database/", "has_database"),
    ("infra/terraform/modules/serving/", "has_serving"),
    ("infra/terraform/modules/ingest/", "has_ingest_module"),
    ("infra/terraform/modules/transform/", "has_transform"),
    ("infra/terraform/modules/features/", "has_features"),
    ("infra/terraform/modules/training/", "has_training"),
    ("infra/terraform/modules/monitoring/", "has_monitoring"),
    ("infra/terraform/modules/audit/", "audit"),
    ("infra/terraform/modules/governance/", "govern_lake_formation"),
    ("pipelines/transform/", "has_transform"),
    ("pipelines/training/Dockerfile", "has_training"),
  ]

  /// A template named `PATH+VARIANT` is one of several for the same path; it is included
  /// when the context's flag VARIANT is true (`task.py+task_ranking`).
  static func variant(of template: String) -> String? {
    template.split(separator: "+", maxSplits: 1).dropFirst().first.map(String.init)
  }

  static func includes(_ template: String, context: [String: Any]) -> Bool {
    if let variant = variant(of: template), !(context[variant] as? Bool ?? false) { return false }
    for folder in conditionalFolders where template.hasPrefix(folder.prefix) {
      return context[folder.flag] as? Bool ?? false
    }
    return true
  }
}
