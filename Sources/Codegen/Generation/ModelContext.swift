/// The template values of the ML code: which training task and sample generator the
/// repository gets, its dataset schema, the request fields and test requests derived from
/// it, the pinned packages, and where the model is read from and written to.
enum ModelContext {
  static func make(_ b: Blueprint) -> [String: Any] {
    let schema = DatasetSchema.make(b)
    let learner = PythonDependencies.learner(stackPreferences: b.stackPreferences)
    let flat = schema.features.allSatisfy { $0.kind == .text || $0.kind == .image }
    let rows = [.classification, .regression, .anomaly].contains(schema.task)
    let examples = ServiceContract.examples(schema)
    var context: [String: Any] = [
      "task_\(schema.task.rawValue)": true,
      "synthetic_\(schema.synthetic)": true,
      "schema_json": schema.json(),
      "sample_rows": schema.sampleRows,
      "split_text": splitText(schema.task),
      "request_nested": rows && !flat,
      "request_flat": rows && flat,
      "request_fields": ServiceContract.fields(schema),
      "user_fields": ServiceContract.fields(schema, role: "user"),
      "item_fields": ServiceContract.fields(schema, role: "item"),
      "example_request": examples.first.python(),
      "other_request": examples.second.python(),
      "has_number": ServiceContract.hasNumber(schema),
      "require_api_key": b.sensitiveData,
      "require_api_key_python": b.sensitiveData ? "True" : "False",
      // Base64 images are larger than rows of features.
      "max_body_bytes": b.payload == .image ? 8 << 20 : 1 << 20,
      "learner": learner.rawValue,
      "learner_sklearn": learner == .scikitLearn, "learner_xgboost": learner == .xgboost,
      "learner_lightgbm": learner == .lightgbm,
      "runtime_pins": PythonDependencies.runtime(learner),
      "lock_pins": PythonDependencies.lock(learner),
      "training_dependencies_toml": toml(PythonDependencies.model(learner)),
      "service_dependencies_toml": toml(PythonDependencies.service),
    ]
    context.merge(modelLocations(b)) { _, new in new }
    return context
  }

  /// Where training reads its data and writes the model, and where the service loads it.
  static func modelLocations(_ b: Blueprint) -> [String: Any] {
    let sagemakerServing = b.servesOnSageMaker
    var context: [String: Any] = [
      // SageMaker unpacks the model.tar.gz of MODEL_DATA_URL into /opt/ml/model.
      "model_uri_default": sagemakerServing ? #""/opt/ml/model""# : #""model""#,
      "model_arrival_text": sagemakerServing
        ? "/opt/ml/model, where SageMaker unpacks the model.tar.gz the endpoint names"
        : b.serving == .none ? "a folder or S3 prefix" : "the models bucket's registry prefix, set in the infrastructure",
    ]
    if b.trainOption.hasPrefix("sagemaker_training") {
      context["train_io"] = "SageMaker Training's SM_CHANNEL_TRAIN and SM_MODEL_DIR"
      context["train_input_default"] = #"os.environ.get("SM_CHANNEL_TRAIN", "data/sample.csv")"#
      context["train_output_default"] = #"os.environ.get("SM_MODEL_DIR", "model")"#
    } else {
      context["train_io"] = "TRAINING_INPUT and MODEL_OUTPUT in the task's environment"
      context["train_input_default"] = #"os.environ.get("TRAINING_INPUT", "data/sample.csv")"#
      context["train_output_default"] = #"os.environ.get("MODEL_OUTPUT", "model")"#
    }
    context["train_io_text"] = "Input and output: " + (context["train_io"] as? String ?? "") + "."
    return context
  }

  static func splitText(_ task: DatasetSchema.Task) -> String {
    switch task {
    case .classification, .anomaly: "80/20, stratified by the target"
    case .regression, .retrieval: "80/20 at random"
    case .forecasting: "by time: the last fifth of the dates is the test period"
    case .ranking: "by user: a fifth of the users are held out"
    }
  }

  static func toml(_ pins: [String]) -> String {
    pins.map { "\"\($0)\"" }.joined(separator: ", ")
  }
}
