import Contracts

/// The typed gRPC clients nodes use to reach the stateless services.
public struct ServiceClients: Sendable {
  public var planner: any Mlops_V1_Planner.ClientProtocol
  public var critics: any Mlops_V1_Critics.ClientProtocol
  public var policy: any Mlops_V1_Policy.ClientProtocol
  public var codegen: any Mlops_V1_Codegen.ClientProtocol

  public init(
    planner: any Mlops_V1_Planner.ClientProtocol, critics: any Mlops_V1_Critics.ClientProtocol,
    policy: any Mlops_V1_Policy.ClientProtocol, codegen: any Mlops_V1_Codegen.ClientProtocol
  ) {
    self.planner = planner
    self.critics = critics
    self.policy = policy
    self.codegen = codegen
  }

  /// Every node of the graph, wired to these clients, the artifact store, the project
  /// repositories and the version records.
  public func nodes(store: any ArtifactStore, repositories: ProjectRepositories, versions: VersionStore) -> [any GraphNode] {
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
      ValidatorsNode(codegen: codegen, store: store),
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
