# The platform's key, its security groups (who may reach which port) and what each role's
# task may do in AWS: least privilege per role.
module "key" {
  source = "./modules/key"
  name   = local.name
  region = var.region
}

resource "aws_security_group" "role" {
  #checkov:skip=CKV2_AWS_5:attached to each role's ECS service (module.service, network_configuration), which this check does not follow through a module
  for_each    = local.roles
  name        = "${local.name}-${each.key}"
  description = "The ${each.key} tasks"
  vpc_id      = module.network.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "api_from_alb" {
  security_group_id            = aws_security_group.role["api"].id
  description                  = "HTTP from the load balancer"
  referenced_security_group_id = module.load_balancer.security_group_id
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
}

resource "aws_vpc_security_group_egress_rule" "alb_to_api" {
  security_group_id            = module.load_balancer.security_group_id
  description                  = "HTTP to the API tasks"
  referenced_security_group_id = aws_security_group.role["api"].id
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
}

locals {
  # Only Edge (API and worker) calls the four services.
  grpc_ingress = { for pair in setproduct(keys(local.grpc_roles), ["api", "worker"]) : "${pair[0]}-from-${pair[1]}" => {
    service = pair[0], caller = pair[1], port = local.grpc_roles[pair[0]]
  } }
}

resource "aws_vpc_security_group_ingress_rule" "grpc" {
  for_each                     = local.grpc_ingress
  security_group_id            = aws_security_group.role[each.value.service].id
  description                  = "gRPC from Edge (${each.value.caller})"
  referenced_security_group_id = aws_security_group.role[each.value.caller].id
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
}

resource "aws_vpc_security_group_egress_rule" "grpc" {
  for_each                     = local.grpc_ingress
  security_group_id            = aws_security_group.role[each.value.caller].id
  description                  = "gRPC to ${each.value.service}"
  referenced_security_group_id = aws_security_group.role[each.value.service].id
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
}

resource "aws_vpc_security_group_egress_rule" "database" {
  for_each                     = toset(["api", "worker"])
  security_group_id            = aws_security_group.role[each.key].id
  description                  = "PostgreSQL through RDS Proxy"
  referenced_security_group_id = module.database.proxy_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

# AWS APIs (through the endpoints or the NAT), the OIDC issuer and model providers.
resource "aws_vpc_security_group_egress_rule" "https" {
  for_each          = local.roles
  security_group_id = aws_security_group.role[each.key].id
  description       = "HTTPS out"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

data "aws_iam_policy_document" "api" {
  statement {
    sid       = "ReadBundles"
    actions   = ["s3:GetObject"]
    resources = ["${module.storage.artifact_bucket_arn}/projects/*"]
  }
  statement {
    actions   = ["kms:Decrypt"]
    resources = [module.key.arn]
  }
}

data "aws_iam_policy_document" "worker" {
  statement {
    sid       = "ReadAndWriteBundles"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${module.storage.artifact_bucket_arn}/projects/*"]
  }
  statement {
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [module.key.arn]
  }
}

locals {
  # The four services reach no AWS API of their own (their task role only lets the metrics
  # agent write its log group).
  task_policies = {
    api    = data.aws_iam_policy_document.api.json
    worker = data.aws_iam_policy_document.worker.json
  }
}

module "service_connect_tls_role" {
  source              = "./modules/service_role"
  name                = "${local.name}-service-connect-tls"
  service             = "ecs.amazonaws.com"
  managed_policy_arns = ["arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity"]
}

