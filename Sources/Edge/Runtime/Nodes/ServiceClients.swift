import Contracts

/// The typed gRPC clients nodes use to reach the stateless services.
package struct ServiceClients: Sendable {
  package var planner: any Mlops_V1_Planner.ClientProtocol
  package var critics: any Mlops_V1_Critics.ClientProtocol
  package var policy: any Mlops_V1_Policy.ClientProtocol
  package var codegen: any Mlops_V1_Codegen.ClientProtocol

  package init(
    planner: any Mlops_V1_Planner.ClientProtocol, critics: any Mlops_V1_Critics.ClientProtocol,
    policy: any Mlops_V1_Policy.ClientProtocol, codegen: any Mlops_V1_Codegen.ClientProtocol
  ) {
    self.planner = planner
    self.critics = critics
    self.policy = policy
    self.codegen = codegen
  }

  /// Every node of the graph, wired to these clients, the artifact store, the project
  /// repositories, the version records and the projects' settings.
  package func nodes(
    store: any ArtifactStore, repositories: ProjectRepositories, versions: VersionStore, projects: ProjectStore
  ) -> [any GraphNode] {
    [
      IntakeExtractNode(planner: planner),
      CoverageCheckNode(planner: planner),
      AdaptiveQuestionsNode(),
      PlannerNode(planner: planner),
      TechnicalCriticNode(critics: critics),
      CostCriticNode(critics: critics),
      PolicyEvalNode(policy: policy),
      ApprovalGateNode(),
      CodegenNode(codegen: codegen, store: store),
      ValidatorsNode(codegen: codegen, store: store, allowsIncompleteBundles: projects.allowsIncompleteBundles),
      RationaleCompileNode(),
      DiffAndPersistNode(store: store, repositories: repositories, versions: versions),
    ]
  }
}

extension Mlops_V1_ReasonCard {
  /// The card as the node reports it: a service may leave who and where blank.
  func stamped(agent: String, node: NodeName) -> Mlops_V1_ReasonCard {
    var card = self
    if card.agent.isEmpty { card.agent = agent }
    card.node = node.rawValue
    return card
  }
}
