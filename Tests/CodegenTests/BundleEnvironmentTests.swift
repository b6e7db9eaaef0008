import Foundation
import Testing

@testable import Codegen

/// The bundle's venv installs only what its lock pins: pip runs with the network, so a lock
/// line that is anything but `name==version` is refused before pip sees it.
struct BundleEnvironmentTests {
  @Test func aLockOfPinsIsAccepted() throws {
    let pins = try BundleEnvironment.pins("# pinned\nnumpy==2.4.6\n\nscikit-learn==1.9.1\ncertifi==2026.10.19.post1\n")
    #expect(pins == ["numpy==2.4.6", "scikit-learn==1.9.1", "certifi==2026.10.19.post1"])
  }

  @Test(arguments: [
    "--index-url https://evil.example/simple", "-e .", "git+https://example.com/x.git", "numpy>=2", "numpy",
    "numpy==2.4.6; python_version>'3'", "https://example.com/x.whl", "./local.whl", "numpy==2.4.6 --hash=sha256:00",
  ])
  func anythingButAPinIsRefused(line: String) {
    #expect(throws: BundleEnvironment.Failure.self) { try BundleEnvironment.pins("pytest==9.0.3\n\(line)\n") }
    do {
      _ = try BundleEnvironment.pins("pytest==9.0.3\n\(line)\n")
    } catch .invalidLock(let number, _) {
      #expect(number == 2)
    } catch {
      Issue.record("unexpected \(error)")
    }
  }

  @Test func everyGeneratedLockIsPinsOnly() throws {
    for learner in [PythonDependencies.Learner.scikitLearn, .xgboost, .lightgbm] {
      let lock = PythonDependencies.lock(learner)
      #expect(try BundleEnvironment.pins(lock.joined(separator: "\n")) == lock)
      #expect(Set(lock.map { $0.split(separator: "=").first! }).count == lock.count, "one pin per package")
    }
  }
}
