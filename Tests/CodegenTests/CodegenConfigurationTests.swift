import Codegen
import Foundation
import Testing

/// The provider mirror is found without `TF_PLUGIN_DIR`, so no topology reports terraform
/// init and validate skipped on a machine that has one.
@Suite struct CodegenConfigurationTests {
  @Test func aKnownProviderMirrorIsUsedWhenTheVariableIsUnset() throws {
    let mirror = FileManager.default.temporaryDirectory.appending(path: "tf-mirror-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: mirror, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: mirror) }
    let missing = mirror.appending(path: "missing").path

    let found = CodegenConfiguration(environment: [:], providerMirrors: [missing, mirror.path])
    #expect(found.validators.terraformPluginDirectory == mirror.path)

    let named = CodegenConfiguration(environment: ["TF_PLUGIN_DIR": "/elsewhere"], providerMirrors: [mirror.path])
    #expect(named.validators.terraformPluginDirectory == "/elsewhere", "the variable wins")

    let none = CodegenConfiguration(environment: ["TF_PLUGIN_DIR": " "], providerMirrors: [missing])
    #expect(none.validators.terraformPluginDirectory == nil)
  }
}
