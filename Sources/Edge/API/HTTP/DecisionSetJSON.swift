import Contracts
import EdgeRuntime
import Foundation
import ServiceKit

/// The API's view of a decision set and of its events.
enum DecisionSetJSON {
  static func links(_ id: UUID) -> [String: String] {
    let base = "/v1/decision-sets/\(id.lowercaseString)"
    return [
      "self": base, "events": "\(base)/events", "stream": "\(base)/stream", "stream_tickets": "\(base)/stream-tickets",
    ]
  }

  static func summary(_ row: DecisionSetStore.Row) -> [String: Any] {
    [
      "id": row.id.lowercaseString,
      "project_id": row.projectID.lowercaseString,
      "version": row.version,
      "lock_version": row.lockVersion,
      "status": row.status,
      "current_node": row.currentNode ?? NSNull(),
      "created_at": JSONResponse.timestamp(row.createdAt),
      "updated_at": JSONResponse.timestamp(row.updatedAt),
      "links": links(row.id),
    ]
  }

  static func detail(_ row: DecisionSetStore.Row, state: Mlops_V1_DecisionState?) throws -> [String: Any] {
    var body = summary(row)
    guard let state else { return body }
    body["brief"] = state.brief
    body["constraints"] = try ProtoJSON.object(state.constraints)
    body["coverage"] = try ProtoJSON.object(state.coverage)
    body["open_questions"] = try state.openQuestions.map { try ProtoJSON.object($0) }
    body["plan"] = state.hasPlan ? try ProtoJSON.object(state.plan) : NSNull()
    body["cost"] =
      state.hasCost
      ? ["monthly_usd": state.cost.monthlyUsd, "method": state.cost.method, "lines": state.cost.breakdown.count]
      : NSNull()
    body["policy"] =
      state.hasPolicy ? ["overall": "\(state.policy.overall)", "summary": state.policy.summary] : NSNull()
    body["approval"] = try ProtoJSON.object(state.approval)
    body["constraint_edits"] = try state.constraintEdits.map { try ProtoJSON.object($0) }
    body["candidate_choices"] = try state.candidateChoices.map { try ProtoJSON.object($0) }
    return body
  }

  static func event(_ event: DecisionSetStore.Event) throws -> [String: Any] {
    [
      "id": event.id,
      "type": event.type,
      "checkpoint_id": event.checkpointID?.lowercaseString ?? NSNull(),
      "created_at": JSONResponse.timestamp(event.createdAt),
      "data": try JSONSerialization.jsonObject(with: Data(event.payload.utf8)),
    ]
  }
}
