import Contracts
import GRPCCore
import Logging
import ServiceKit

/// Codegen's gRPC face: a thin adapter from messages to the generator and the validators.
public struct CodegenService: Mlops_V1_Codegen.SimpleServiceProtocol, NamedService {
  public static let serviceName = Mlops_V1_Codegen.descriptor.fullyQualifiedService

  let generator: RepositoryGenerator
  let validators: ValidatorSuite
  let logger: Logger

  public init(generator: RepositoryGenerator, validators: ValidatorSuite, logger: Logger = Logger(label: "codegen")) {
    self.generator = generator
    self.validators = validators
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
    let repository: RepositoryGenerator.Repository
    do {
      repository = try generator.generate(request)
    } catch let error as RepositoryGenerator.InvalidRequest {
      throw RPCError(code: .invalidArgument, message: error.description)
    }
    for file in repository.files {
      try await response.write(.with { $0.file = file })
    }
    try await response.write(.with { $0.manifest = repository.manifest })
    try await response.write(.with { $0.reasonCard = CodegenReasonCard.generated(repository, request: request) })
  }

  public func validate(
    request: Mlops_V1_ValidateRequest,
    context: ServerContext
  ) async throws -> Mlops_V1_ValidateResponse {
    guard !request.files.isEmpty else {
      throw RPCError(code: .invalidArgument, message: "no files to validate; send the files Generate returned with their manifest")
    }
    let mismatches = BundleManifestBuilder.mismatches(request.files, manifest: request.manifest)
    guard mismatches.isEmpty else {
      throw RPCError(code: .invalidArgument, message: "the files do not match their manifest: \(mismatches.prefix(5).joined(separator: "; "))")
    }
    let report = try await validators.validate(request.files)
    return .with {
      $0.report = report
      $0.reasonCard = ValidationReasonCard.card(report, manifest: request.manifest)
    }
  }
}
