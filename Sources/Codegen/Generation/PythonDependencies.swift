/// The Python packages of a generated repository, pinned: what the service and the
/// training image install, and `requirements.lock`, every package (dependencies of
/// dependencies too) that `make install`, CI and the platform's pytest validator install.
/// The learning library follows the plan's stack preferences.
enum PythonDependencies {
  enum Learner: String, Sendable {
    case scikitLearn = "scikit-learn"
    case xgboost, lightgbm
  }

  static func learner(stackPreferences: [String]) -> Learner {
    let preferences = Set(stackPreferences.map { $0.lowercased() })
    if preferences.contains("xgboost") { return .xgboost }
    if preferences.contains("lightgbm") { return .lightgbm }
    return .scikitLearn
  }

  /// What the model needs at training and at serving time (the model is unpickled there).
  static func model(_ learner: Learner) -> [String] {
    var pins = [
      "joblib==1.6.0", "numpy==2.4.6", "pandas==3.0.6", "pillow==13.0.0", "pyarrow==26.0.1", "scikit-learn==1.9.1",
    ]
    switch learner {
    case .scikitLearn: break
    case .xgboost: pins.append("xgboost-cpu==3.2.0")
    case .lightgbm: pins.append("lightgbm==4.7.0")
    }
    return pins.sorted()
  }

  static let service = ["fastapi==0.163.2", "prometheus-client==0.26.0", "pydantic==2.14.3", "uvicorn==0.54.0"]
  static let tests = ["httpx==0.28.1", "pytest==9.0.3"]
  /// What the pins above bring with them, as pip resolves them on Python 3.11 and 3.12.
  static let runtimeTransitive = [
    "annotated-doc==0.0.7", "annotated-types==0.8.0", "anyio==4.16.0", "click==8.5.1", "cloudpickle==3.1.3",
    "h11==0.16.0", "idna==3.20", "narwhals==2.29.0", "opentelemetry-api==1.45.2", "packaging==26.4",
    "pydantic-core==2.50.4", "python-dateutil==4.0.0", "scipy==1.17.1", "starlette==1.10.0", "threadpoolctl==3.8.0",
    "typing-extensions==4.16.0", "typing-inspection==0.4.5", "tzdata==2026.6",
  ]
  static let testTransitive = [
    "certifi==2026.10.19.post1", "httpcore==1.0.9", "iniconfig==2.3.1", "pluggy==1.7.0", "pygments==2.21.0",
  ]

  /// What the images install: everything but the test tools.
  static func runtime(_ learner: Learner) -> [String] {
    (model(learner) + service + runtimeTransitive).sorted()
  }

  static func lock(_ learner: Learner) -> [String] {
    (model(learner) + service + tests + runtimeTransitive + testTransitive).sorted()
  }
}
