# The all-in-one topology on App Runner, for accounts that still have it (App Runner closed
# to new customers on 2026-04-30): one `mlops serve` per instance (Planner, Critics, Policy
# and Codegen on its loopback, gRPC with the local CA), RDS PostgreSQL behind RDS Proxy, S3
# for bundles. App Runner forwards HTTP/1.1 only, with a 120 s request limit: the API's SSE
# streams rotate every 100 s (MLOPS_SSE_MAX_SECONDS) to stay under it, and the services
# cannot be scaled apart; that is what deploy/terraform (ECS) is for.
terraform {
  required_version = ">= 1.7"
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.80, < 6.0" }
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = { application = "mlops", environment = var.environment, managed-by = "terraform" }
  }
}

variable "environment" {
  type = string
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
  description = "The platform image in this account's ECR: <repository_url>:<tag> (App Runner deploys by tag)."
}
variable "oidc_issuer" { type = string }
variable "vpc_cidr" {
  type    = string
  default = "10.41.0.0/16"
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
variable "instance" {
  type        = object({ cpu = string, memory = string, min = number, max = number, max_concurrency = number })
  description = "App Runner sizes (e.g. \"2 vCPU\", \"4 GB\"), instance counts and requests per instance before scaling out."
}
variable "bundle_retention_days" {
  type    = number
  default = 90
}
variable "log_retention_days" {
  type    = number
  default = 365
}

locals {
  name            = "mlops-${var.environment}-ar"
  sse_max_seconds = 100
}

module "key" {
  source = "../terraform/modules/key"
  name   = local.name
  region = var.region
}

# The same on every instance: stream tickets minted by one instance are checked by another.
module "download_secret" {
  source      = "../terraform/modules/shared_secret"
  name        = "${local.name}-download-secret"
  description = "MLOPS_DOWNLOAD_SECRET: stream tickets and download links, the same on every instance"
  kms_key_arn = module.key.arn
}

module "network" {
  source             = "../terraform/modules/network"
  name               = local.name
  cidr               = var.vpc_cidr
  availability_zones = 2
  nat_gateways       = 1
  region             = var.region
  kms_key_arn        = module.key.arn
  log_retention_days = var.log_retention_days
}

module "storage" {
  source                = "../terraform/modules/storage"
  name                  = local.name
  kms_key_arn           = module.key.arn
  bundle_retention_days = var.bundle_retention_days
  log_retention_days    = var.log_retention_days
  force_destroy         = var.environment != "production"
}

resource "aws_security_group" "service" {
  name        = "${local.name}-service"
  description = "App Runner's VPC connector: to the database proxy and HTTPS out"
  vpc_id      = module.network.vpc_id
}

resource "aws_vpc_security_group_egress_rule" "database" {
  security_group_id            = aws_security_group.service.id
  description                  = "PostgreSQL through RDS Proxy"
  referenced_security_group_id = module.database.proxy_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

resource "aws_vpc_security_group_egress_rule" "https" {
  security_group_id = aws_security_group.service.id
  description       = "AWS APIs, the OIDC issuer and model providers"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

module "database" {
  source                    = "../terraform/modules/database"
  name                      = local.name
  vpc_id                    = module.network.vpc_id
  subnet_ids                = module.network.private_subnet_ids
  client_security_group_ids = { service = aws_security_group.service.id }
  kms_key_arn               = module.key.arn
  instance_class            = var.database.instance_class
  allocated_storage_gb      = var.database.allocated_storage_gb
  max_storage_gb            = var.database.max_storage_gb
  multi_az                  = var.database.multi_az
  backup_retention_days     = var.database.backup_retention_days
  deletion_protection       = var.database.deletion_protection
}

resource "aws_apprunner_vpc_connector" "this" {
  vpc_connector_name = local.name
  subnets            = module.network.private_subnet_ids
  security_groups    = [aws_security_group.service.id]
}

module "access_role" {
  source              = "../terraform/modules/service_role"
  name                = "${local.name}-ecr-access"
  service             = "build.apprunner.amazonaws.com"
  managed_policy_arns = ["arn:aws:iam::aws:policy/service-role/AWSAppRunnerServicePolicyForECRAccess"]
}

# The instance: read and write bundles, read the database password.
data "aws_iam_policy_document" "instance" {
  statement {
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${module.storage.artifact_bucket_arn}/projects/*"]
  }
  statement {
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [module.key.arn]
  }
  statement {
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [module.database.password_secret_arn, module.download_secret.arn]
  }
}

module "instance_role" {
  source  = "../terraform/modules/service_role"
  name    = "${local.name}-instance"
  service = "tasks.apprunner.amazonaws.com"
  inline_policies = {
    instance = data.aws_iam_policy_document.instance.json
  }
}

resource "aws_apprunner_auto_scaling_configuration_version" "this" {
  auto_scaling_configuration_name = local.name
  min_size                        = var.instance.min
  max_size                        = var.instance.max
  max_concurrency                 = var.instance.max_concurrency
}

resource "aws_apprunner_service" "this" {
  service_name                   = local.name
  auto_scaling_configuration_arn = aws_apprunner_auto_scaling_configuration_version.this.arn

  source_configuration {
    auto_deployments_enabled = false
    authentication_configuration {
      access_role_arn = module.access_role.arn
    }
    image_repository {
      image_identifier      = var.image
      image_repository_type = "ECR"
      image_configuration {
        port          = "8080"
        start_command = "serve"
        runtime_environment_variables = {
          DATABASE_URL                = module.database.url
          MLOPS_HTTP_HOST             = "0.0.0.0"
          MLOPS_HTTP_PORT             = "8080"
          MLOPS_DATA_DIR              = "/tmp/mlops"
          MLOPS_ARTIFACT_STORE        = "s3"
          MLOPS_REPOSITORIES          = "database"
          MLOPS_QUARANTINE            = "log"
          MLOPS_S3_BUCKET             = module.storage.artifact_bucket
          MLOPS_S3_REGION             = var.region
          MLOPS_BUNDLE_RETENTION_DAYS = tostring(var.bundle_retention_days)
          MLOPS_OIDC_ISSUER           = var.oidc_issuer
          MLOPS_SSE_MAX_SECONDS       = tostring(local.sse_max_seconds)
        }
        # App Runner hands over the whole secret (the RDS-managed JSON); DATABASE_PASSWORD
        # takes its password key.
        runtime_environment_secrets = {
          DATABASE_PASSWORD     = module.database.password_secret_arn
          MLOPS_DOWNLOAD_SECRET = module.download_secret.arn
        }
      }
    }
  }

  instance_configuration {
    cpu               = var.instance.cpu
    memory            = var.instance.memory
    instance_role_arn = module.instance_role.arn
  }

  encryption_configuration {
    kms_key = module.key.arn
  }

  network_configuration {
    egress_configuration {
      egress_type       = "VPC"
      vpc_connector_arn = aws_apprunner_vpc_connector.this.arn
    }
    ingress_configuration {
      is_publicly_accessible = true
    }
  }

  health_check_configuration {
    protocol            = "HTTP"
    path                = "/readyz"
    interval            = 10
    timeout             = 5
    healthy_threshold   = 1
    unhealthy_threshold = 5
  }
}

output "url" {
  description = "The service's HTTPS address (MLOPS_SERVER for the CLI)."
  value       = "https://${aws_apprunner_service.this.service_url}"
}
output "repository_url" { value = module.storage.repository_url }
output "sse_max_seconds" { value = local.sse_max_seconds }
output "service" {
  value = {
    start_command = aws_apprunner_service.this.source_configuration[0].image_repository[0].image_configuration[0].start_command
    environment   = aws_apprunner_service.this.source_configuration[0].image_repository[0].image_configuration[0].runtime_environment_variables
    health_path   = aws_apprunner_service.this.health_check_configuration[0].path
    egress        = aws_apprunner_service.this.network_configuration[0].egress_configuration[0].egress_type
  }
}
