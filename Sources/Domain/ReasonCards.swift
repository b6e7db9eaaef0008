import Contracts
import Crypto
import Foundation
import ServiceKit
import SwiftProtobuf

/// What every Reason Card from a service shares: the hash of the inputs and who answered.
public enum ReasonCards {
  /// SHA-256 of the request's deterministic protobuf encoding.
  public static func inputsHash(_ message: some SwiftProtobuf.Message) -> String {
    let bytes = (try? message.deterministicBytes()) ?? []
    return SHA256.hash(data: bytes).lowercaseHex
  }

  public static func card(agent: String = "planner", node: String, inputs summary: String, of request: some SwiftProtobuf.Message)
    -> Mlops_V1_ReasonCard
  {
    .with {
      $0.agent = agent
      $0.node = node
      $0.inputs = .with {
        $0.summary = summary
        $0.sha256 = inputsHash(request)
      }
      $0.provider = .with {
        $0.name = ProviderIdentity.deterministic.name
        $0.model = ProviderIdentity.deterministic.model
      }
    }
  }

  public static func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}
