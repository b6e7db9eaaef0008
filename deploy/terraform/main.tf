# The platform on ECS Fargate: each role its own service with its own size and scaling,
# Service Connect carrying gRPC between Edge and the four services, an ALB in front of the
# API, RDS PostgreSQL behind RDS Proxy, S3 for bundles, ECR, CloudWatch. deploy/README.md
# walks through it; environments/*.tfvars size it.
locals {
  name            = "mlops-${var.environment}"
  production      = var.environment == "production"
  metrics_ns      = "MLOps/Prometheus"
  grpc_roles      = { planner = 50051, critics = 50052, policy = 50053, codegen = 50054 }
  sse_max_seconds = 100

  roles = merge(
    {
      api = {
        command = ["edge", "--role", "api"], port = 8080, app_protocol = "http", metrics_port = 8080
        scaling = { metric = "requests", target = 1000, alb_resource_label = "${module.load_balancer.arn_suffix}/${module.load_balancer.target_group_arn_suffix}" }
      }
      worker = {
        command = ["worker"], port = 8081, app_protocol = "http", metrics_port = 8081
        scaling = { metric = "queue_age", target = var.worker_target_queue_age_seconds, alb_resource_label = null }
      }
    },
    { for role, port in local.grpc_roles : role => {
      command = [role], port = port, app_protocol = "grpc", metrics_port = port + 1000
      scaling = { metric = "cpu", target = 60, alb_resource_label = null }
    } },
  )

  # A task's disk does not outlive it: rejected model replies go to the log, and each
  # project's git history to PostgreSQL (the folder under MLOPS_DATA_DIR is a cache).
  common_environment = {
    MLOPS_DATA_DIR   = "/var/lib/mlops"
    MLOPS_GRPC_TLS   = "mesh"
    MLOPS_LOG_LEVEL  = "info"
    MLOPS_QUARANTINE = "log"
  }
  edge_environment = merge(
    local.common_environment,
    { for role, port in local.grpc_roles : "MLOPS_${upper(role)}_ADDR" => "${role}:${port}" },
    {
      DATABASE_URL                = module.database.url
      MLOPS_ARTIFACT_STORE        = "s3"
      MLOPS_REPOSITORIES          = "database"
      MLOPS_S3_BUCKET             = module.storage.artifact_bucket
      MLOPS_S3_REGION             = var.region
      MLOPS_BUNDLE_RETENTION_DAYS = tostring(var.bundle_retention_days)
      MLOPS_PUBLIC_URL            = "https://${var.public_host}"
      MLOPS_OIDC_ISSUER           = var.oidc_issuer
      MLOPS_SSE_MAX_SECONDS       = tostring(local.sse_max_seconds)
    },
  )
  environments = merge(
    {
      api    = merge(local.edge_environment, { MLOPS_HTTP_HOST = "0.0.0.0", MLOPS_HTTP_PORT = "8080" })
      worker = merge(local.edge_environment, { MLOPS_WORKER_PORT = "8081" })
    },
    { for role, port in local.grpc_roles : role => merge(local.common_environment, {
      "MLOPS_${upper(role)}_ADDR" = "0.0.0.0:${port}"
      MLOPS_METRICS_ADDR          = "0.0.0.0:${port + 1000}"
    }) },
  )
  database_password = { DATABASE_PASSWORD = "${module.database.password_secret_arn}:password::" }
  secrets = {
    api     = merge(local.database_password, { MLOPS_DOWNLOAD_SECRET = module.download_secret.arn })
    worker  = local.database_password
    planner = {}
    critics = {}
    policy  = {}
    codegen = { MLOPS_CODEGEN_SIGNING_KEY = module.codegen_signing_key.arn }
  }
  secret_arns = {
    api     = [module.database.password_secret_arn, module.download_secret.arn]
    worker  = [module.database.password_secret_arn]
    planner = []
    critics = []
    policy  = []
    codegen = [module.codegen_signing_key.arn]
  }
}

module "network" {
  source             = "./modules/network"
  name               = local.name
  cidr               = var.vpc_cidr
  availability_zones = var.availability_zones
  nat_gateways       = var.nat_gateways
  region             = var.region
  kms_key_arn        = module.key.arn
  log_retention_days = var.log_retention_days
}

module "storage" {
  source                = "./modules/storage"
  name                  = local.name
  kms_key_arn           = module.key.arn
  bundle_retention_days = var.bundle_retention_days
  log_retention_days    = var.log_retention_days
  force_destroy         = !local.production
}

module "database" {
  source                    = "./modules/database"
  name                      = local.name
  vpc_id                    = module.network.vpc_id
  subnet_ids                = module.network.private_subnet_ids
  client_security_group_ids = { api = aws_security_group.role["api"].id, worker = aws_security_group.role["worker"].id }
  kms_key_arn               = module.key.arn
  instance_class            = var.database.instance_class
  allocated_storage_gb      = var.database.allocated_storage_gb
  max_storage_gb            = var.database.max_storage_gb
  multi_az                  = var.database.multi_az
  backup_retention_days     = var.database.backup_retention_days
  deletion_protection       = var.database.deletion_protection
}

module "load_balancer" {
  source                       = "./modules/load_balancer"
  name                         = local.name
  vpc_id                       = module.network.vpc_id
  subnet_ids                   = module.network.public_subnet_ids
  certificate_arn              = var.certificate_arn
  log_bucket                   = module.storage.log_bucket
  deletion_protection          = local.production
  api_port                     = 8080
  idle_timeout_seconds         = local.sse_max_seconds + 20
  deregistration_delay_seconds = 30
  kms_key_arn                  = module.key.arn
  log_retention_days           = var.log_retention_days
}

resource "aws_ecs_cluster" "this" {
  name = local.name
  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_service_discovery_http_namespace" "this" {
  name        = "${local.name}.internal"
  description = "Service Connect names of the platform's gRPC services"
}

module "service" {
  for_each = local.roles
  source   = "./modules/ecs_service"

  name                         = local.name
  role                         = each.key
  region                       = var.region
  cluster_arn                  = aws_ecs_cluster.this.arn
  cluster_name                 = aws_ecs_cluster.this.name
  namespace_arn                = aws_service_discovery_http_namespace.this.arn
  image                        = var.image
  command                      = each.value.command
  cpu                          = var.services[each.key].cpu
  memory                       = var.services[each.key].memory
  desired                      = var.services[each.key].desired
  min                          = var.services[each.key].min
  max                          = var.services[each.key].max
  port                         = each.value.port
  app_protocol                 = each.value.app_protocol
  metrics_port                 = each.value.metrics_port
  environment                  = local.environments[each.key]
  secrets                      = local.secrets[each.key]
  secret_arns                  = local.secret_arns[each.key]
  subnet_ids                   = module.network.private_subnet_ids
  security_group_id            = aws_security_group.role[each.key].id
  calls_aws                    = contains(keys(local.task_policies), each.key)
  task_policy_json             = lookup(local.task_policies, each.key, null)
  kms_key_arn                  = module.key.arn
  log_retention_days           = var.log_retention_days
  stop_timeout_seconds         = each.key == "api" ? local.sse_max_seconds + 10 : 60
  service_connect_server       = contains(keys(local.grpc_roles), each.key)
  service_connect_tls_role_arn = module.service_connect_tls_role.arn
  private_ca_arn               = var.private_ca_arn
  target_group_arn             = each.key == "api" ? module.load_balancer.target_group_arn : null
  scaling                      = each.value.scaling
  metrics_namespace            = local.metrics_ns
  agent_image                  = var.cloudwatch_agent_image
}

module "observability" {
  source        = "../observability/cloudwatch"
  name          = local.name
  namespace     = local.metrics_ns
  region        = var.region
  load_balancer = module.load_balancer.arn_suffix
  alarm_actions = var.alarm_actions
}

module "codegen_signing_key" {
  source      = "./modules/shared_secret"
  name        = "${local.name}-codegen-signing-key"
  description = "MLOPS_CODEGEN_SIGNING_KEY: Codegen signs each bundle's manifest and checks it before validating"
  kms_key_arn = module.key.arn
}

module "download_secret" {
  source      = "./modules/shared_secret"
  name        = "${local.name}-download-secret"
  description = "MLOPS_DOWNLOAD_SECRET: the API's stream tickets and local download links, the same on every replica"
  kms_key_arn = module.key.arn
}
