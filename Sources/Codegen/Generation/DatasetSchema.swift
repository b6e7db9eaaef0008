import Foundation

/// The dataset a generated repository trains on: its features, target and time column,
/// written once to `pipelines/training/pipeline/schema.json`. The request models of the
/// service and the examples its tests send are derived from the same definition here, so
/// the three never disagree.
struct DatasetSchema: Sendable, Equatable {
  /// Which training task the model solves: one module of the training package each.
  enum Task: String, Sendable, CaseIterable {
    case classification, regression
    case anomaly = "anomaly_detection"
    case forecasting, ranking, retrieval
  }

  struct Feature: Sendable, Equatable {
    enum Kind: String, Sendable { case numeric, categorical, text, image, identifier }
    var name: String
    var kind: Kind
    var values: [String] = []
    var minimum: Double? = nil
    var maximum: Double? = nil
    /// For ranking, whose side of the pair it describes; for retrieval, question or passage.
    var role: String = ""
  }

  var task: Task
  var target: String
  var classes: [String] = []
  var timeColumn: String? = nil
  var groupColumn: String? = nil
  var features: [Feature]
  var metric: String
  /// Rows the sample generator writes by default: enough for the metric to be measured.
  var sampleRows: Int

  static func make(_ blueprint: Blueprint) -> DatasetSchema {
    switch blueprint.prediction {
    case .label:
      switch blueprint.payload {
      case .text:
        return DatasetSchema(
          task: .classification, target: "topic", classes: ["billing", "delivery", "account", "technical"],
          features: [.init(name: "text", kind: .text, values: ["invoice", "parcel", "password", "error"])],
          metric: "macro_f1", sampleRows: 4000)
      case .image:
        return DatasetSchema(
          task: .classification, target: "label", classes: ["ok", "defect"],
          features: [.init(name: "image_base64", kind: .image)], metric: "roc_auc", sampleRows: 2000)
      case .tabular:
        return DatasetSchema(
          task: .classification, target: "outcome", classes: ["no", "yes"], features: tabularFeatures,
          metric: "roc_auc", sampleRows: 4000)
      }
    case .value:
      return DatasetSchema(
        task: .regression, target: "value", features: tabularFeatures, metric: "mae", sampleRows: 4000)
    case .anomaly:
      return DatasetSchema(
        task: .anomaly, target: "is_anomaly",
        features: [
          .init(name: "temperature_c", kind: .numeric, minimum: -20, maximum: 120),
          .init(name: "vibration_mm_s", kind: .numeric, minimum: 0, maximum: 50),
          .init(name: "pressure_kpa", kind: .numeric, minimum: 80, maximum: 400),
          .init(name: "current_a", kind: .numeric, minimum: 0, maximum: 60),
          .init(name: "site", kind: .categorical, values: ["plant-a", "plant-b", "plant-c", "plant-d"]),
        ], metric: "roc_auc", sampleRows: 4000)
    case .series:
      return DatasetSchema(
        task: .forecasting, target: "demand", timeColumn: "date", groupColumn: "series_id", features: [],
        metric: "mae", sampleRows: 8000)
    case .ranking:
      return DatasetSchema(
        task: .ranking, target: "clicked", groupColumn: "user_id",
        features: [
          .init(name: "user_segment", kind: .categorical, values: ["new", "regular", "loyal", "lapsed"], role: "user"),
          .init(name: "item_id", kind: .identifier, role: "item"),
          .init(
            name: "item_category", kind: .categorical, values: ["books", "music", "games", "garden", "kitchen", "sport"],
            role: "item"),
          .init(name: "item_price", kind: .numeric, minimum: 1, maximum: 200, role: "item"),
        ], metric: "ndcg@5", sampleRows: 12000)
    case .text:
      return DatasetSchema(
        task: .retrieval, target: "passage_id",
        features: [
          .init(name: "question", kind: .text, role: "question"), .init(name: "passage", kind: .text, role: "passage"),
        ], metric: "hit@1", sampleRows: 2000)
    }
  }

  static let tabularFeatures: [Feature] = [
    .init(name: "amount", kind: .numeric, minimum: 0, maximum: 5000),
    .init(name: "tenure_months", kind: .numeric, minimum: 0, maximum: 120),
    .init(name: "events_30d", kind: .numeric, minimum: 0, maximum: 50),
    .init(name: "plan", kind: .categorical, values: ["basic", "standard", "premium", "family"]),
    .init(name: "channel", kind: .categorical, values: ["web", "mobile", "store", "partner"]),
    .init(name: "last_note", kind: .text, values: ["happy", "cancel", "refund", "upgrade"]),
  ]

  /// The module of the training package that implements the task (`task.py`), and the
  /// sample generator for its data (`synthetic.py`).
  var synthetic: String {
    switch task {
    case .classification, .regression, .anomaly: "tabular"
    case .forecasting: "forecasting"
    case .ranking: "ranking"
    case .retrieval: "retrieval"
    }
  }

  /// schema.json: sorted keys, two-space indent, so the same schema gives the same bytes.
  func json() -> String {
    var document: [String: Any] = [
      "task": task.rawValue, "target": target, "metric": metric,
      "features": features.map { feature -> [String: Any] in
        var entry: [String: Any] = ["name": feature.name, "type": feature.kind.rawValue]
        if !feature.values.isEmpty { entry["values"] = feature.values }
        if let minimum = feature.minimum { entry["minimum"] = minimum }
        if let maximum = feature.maximum { entry["maximum"] = maximum }
        if !feature.role.isEmpty { entry["role"] = feature.role }
        return entry
      },
    ]
    if !classes.isEmpty { document["classes"] = classes }
    if let timeColumn { document["time_column"] = timeColumn }
    if let groupColumn { document["group_column"] = groupColumn }
    let data = try! JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
    return String(decoding: data, as: UTF8.self)
  }
}
