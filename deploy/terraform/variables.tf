variable "environment" {
  type        = string
  description = "staging or production: names every resource and picks the production safeguards."
  validation {
    condition     = contains(["staging", "production"], var.environment)
    error_message = "environment is staging or production."
  }
}

variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "image" {
  type        = string
  description = "The platform image (deploy/Dockerfile) in this account's ECR, by digest: <repository_url>@sha256:..."
}

variable "certificate_arn" {
  type        = string
  description = "The ACM certificate of public_host, for the ALB's HTTPS listener."
}

variable "public_host" {
  type        = string
  description = "The host name clients use (MLOPS_PUBLIC_URL is https://<public_host>)."
}

variable "oidc_issuer" {
  type        = string
  description = "MLOPS_OIDC_ISSUER: the organisation's OIDC issuer (the local issuer is for laptops)."
}

variable "private_ca_arn" {
  type        = string
  description = "The AWS Private CA that signs Service Connect's TLS certificates between tasks."
}

variable "vpc_cidr" {
  type    = string
  default = "10.40.0.0/16"
}

variable "availability_zones" {
  type        = number
  default     = 2
  description = "How many zones the subnets, NAT gateways and tasks spread over."
}

variable "nat_gateways" {
  type        = number
  default     = 1
  description = "NAT gateways: 1 shares one (staging), availability_zones gives each zone its own."
}

variable "database" {
  type = object({
    instance_class        = string
    allocated_storage_gb  = number
    max_storage_gb        = number
    multi_az              = bool
    backup_retention_days = number
    deletion_protection   = bool
  })
}

variable "services" {
  description = "Per role: task size (Fargate CPU units and MiB), the desired count and the autoscaling range."
  type = map(object({
    cpu     = number
    memory  = number
    desired = number
    min     = number
    max     = number
  }))
  validation {
    condition     = length(setsubtract(["api", "worker", "planner", "critics", "policy", "codegen"], keys(var.services))) == 0
    error_message = "services sizes every role: api, worker, planner, critics, policy, codegen."
  }
}

variable "worker_target_queue_age_seconds" {
  type        = number
  default     = 30
  description = "The worker scales out when the oldest ready job has waited longer than this (mlops_queue_oldest_ready_seconds)."
}

variable "bundle_retention_days" {
  type    = number
  default = 90
}

variable "log_retention_days" {
  type    = number
  default = 365
}

variable "alarm_actions" {
  type        = list(string)
  default     = []
  description = "SNS topics the platform's alarms notify."
}

variable "cloudwatch_agent_image" {
  type        = string
  default     = "public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.300050.0b1011"
  description = "The sidecar that scrapes each task's /metrics into CloudWatch (the worker's autoscaling reads it)."
}
