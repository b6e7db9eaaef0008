import Contracts
import GRPCCore
import Logging
import ServiceKit

/// Codegen's gRPC face: a thin adapter from messages to the generator and the validators.
public struct CodegenService: Mlops_V1_Codegen.SimpleServiceProtocol, NamedService {
  public static let serviceName = Mlops_V1_Codegen.descriptor.fullyQualifiedService

  let generator: RepositoryGenerator
  let validators: ValidatorSuite
  let signer: ManifestSigner
  /// Set when a model writes the marked regions (`MLOPS_CODEGEN_PROVIDER=llm`).
  let regionWriter: ModelRegionWriter?
  let logger: Logger

  public init(
    generator: RepositoryGenerator, validators: ValidatorSuite, signer: ManifestSigner = .ephemeral(),
    regionWriter: ModelRegionWriter? = nil, logger: Logger = Logger(label: "codegen")
  ) {
    self.generator = generator
    self.validators = validators
    self.signer = signer
    self.regionWriter = regionWriter
    self.logger = logger
  }

  /// The bundled templates and the validators with their defaults (tools on PATH).
  public init() throws {
    self.init(generator: try RepositoryGenerator(), validators: ValidatorSuite())
  }

  public func generate(
    request: Mlops_V1_GenerateRequest,
    response: RPCWriter<Mlops_V1_GenerateResponse>,
    context: ServerContext
  ) async throws {
    try request.requireValid()
    var repository: RepositoryGenerator.Repository
    do {
      repository = try generator.generate(request)
    } catch let error as RepositoryGenerator.InvalidRequest {
      throw RPCError(code: .invalidArgument, message: error.description)
    }
    let code = try await regionWriter?.write(repository, request: request)
    repository = code?.repository ?? repository
    for file in repository.files {
      try await response.write(.with { $0.file = file })
    }
    try await response.write(.with { $0.manifest = signer.sign(repository.manifest) })
    try await response.write(.with { $0.reasonCard = CodegenReasonCard.generated(repository, request: request, code: code) })
  }

  public func validate(
    request: Mlops_V1_ValidateRequest,
    context: ServerContext
  ) async throws -> Mlops_V1_ValidateResponse {
    guard !request.files.isEmpty else {
      throw RPCError(
        code: .invalidArgument, message: "no files to validate; send the files Generate returned with their manifest")
    }
    let problems = signer.problems(request.files, manifest: request.manifest)
    guard problems.isEmpty else {
      throw RPCError(
        code: .invalidArgument,
        message: "the files are not a bundle Codegen generated: \(problems.prefix(5).joined(separator: "; "))")
    }
    if let unsafe = request.files.first(where: { !BundlePath.isSafe($0.path) }) {
      throw RPCError(code: .invalidArgument, message: "unsafe path \(String(unsafe.path.prefix(80)).debugDescription)")
    }
    let report = try await validators.validate(request.files)
    return .with {
      $0.report = report
      $0.reasonCard = ValidationReasonCard.card(report, manifest: request.manifest)
    }
  }
}
