variable "name" {
  type        = string
  description = "The deployment's prefix, e.g. mlops-production."
}
variable "role" {
  type        = string
  description = "api, worker, planner, critics, policy or codegen."
}
variable "region" { type = string }
variable "cluster_arn" { type = string }
variable "cluster_name" { type = string }
variable "namespace_arn" { type = string }
variable "image" { type = string }
variable "command" { type = list(string) }
variable "cpu" { type = number }
variable "memory" { type = number }
variable "desired" { type = number }
variable "min" { type = number }
variable "max" { type = number }
variable "port" { type = number }
variable "app_protocol" {
  type        = string
  description = "grpc for the four services (Service Connect balances each call), http for the API and the worker's health port."
}
variable "metrics_port" {
  type        = number
  description = "Where the process serves /metrics (the API's and the worker's own port; a service's gRPC port + 1000)."
}
variable "environment" { type = map(string) }
variable "secrets" {
  type        = map(string)
  description = "Variable name to the Secrets Manager ARN (with a JSON key, ARN:key::) the execution role reads."
}
variable "secret_arns" {
  type        = list(string)
  description = "The secrets above, as resources for the execution role's policy."
}
variable "subnet_ids" { type = list(string) }
variable "security_group_id" { type = string }
variable "calls_aws" {
  type        = bool
  description = "Whether the task calls AWS APIs of its own (then task_policy_json says which)."
}
variable "task_policy_json" {
  type        = string
  default     = null
  description = "What the task itself may do, least privilege for its role; null when it calls no AWS API."
}
variable "kms_key_arn" { type = string }
variable "log_retention_days" { type = number }
variable "stop_timeout_seconds" {
  type        = number
  default     = 60
  description = "How long the process has to drain after SIGTERM before SIGKILL (Fargate allows up to 120)."
}
variable "service_connect_server" {
  type        = bool
  description = "True for the four gRPC services: they publish their port in the namespace. Edge roles are clients only."
}
variable "service_connect_tls_role_arn" { type = string }
variable "private_ca_arn" { type = string }
variable "target_group_arn" {
  type    = string
  default = null
}
variable "scaling" {
  description = "cpu (percent), requests (per target per minute, with alb_resource_label) or queue_age (seconds of the oldest ready job)."
  type = object({
    metric             = string
    target             = number
    alb_resource_label = optional(string)
  })
  validation {
    condition     = contains(["cpu", "requests", "queue_age"], var.scaling.metric)
    error_message = "scaling.metric is cpu, requests or queue_age."
  }
}
variable "metrics_namespace" { type = string }
variable "agent_image" { type = string }
