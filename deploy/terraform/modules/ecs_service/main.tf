# One role of the platform as its own ECS service on Fargate: the task (the platform image
# with the role's command, a read-only root with writable scratch volumes, and a CloudWatch
# agent scraping its /metrics), the service (Service Connect, circuit breaker with
# rollback) and its autoscaling.
locals {
  full_name = "${var.name}-${var.role}"
  prometheus = yamlencode({
    global = { scrape_interval = "30s", scrape_timeout = "10s" }
    scrape_configs = [{
      job_name       = "mlops"
      static_configs = [{ targets = ["localhost:${var.metrics_port}"], labels = { ServiceName = local.full_name } }]
      metrics_path   = "/metrics"
    }]
  })
  agent = jsonencode({
    logs = {
      metrics_collected = {
        prometheus = {
          log_group_name         = aws_cloudwatch_log_group.metrics.name
          prometheus_config_path = "env:PROMETHEUS_CONFIG_CONTENT"
          emf_processor = {
            metric_namespace = var.metrics_namespace
            metric_declaration = [{
              source_labels    = ["job"]
              label_matcher    = "^mlops$"
              dimensions       = [[], ["ServiceName"], ["outcome"], ["direction"]]
              metric_selectors = ["^mlops_", "^grpc_"]
            }]
          }
        }
      }
      force_flush_interval = 5
    }
  })
  port_mappings = concat(
    [{ name = var.role, containerPort = var.port, protocol = "tcp", appProtocol = var.app_protocol }],
    var.metrics_port == var.port ? [] : [{ name = "${var.role}-metrics", containerPort = var.metrics_port, protocol = "tcp", appProtocol = "http" }],
  )
}

resource "aws_cloudwatch_log_group" "task" {
  name              = "/mlops/${var.name}/${var.role}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_cloudwatch_log_group" "metrics" {
  #checkov:skip=CKV_AWS_338:raw embedded-metric lines; CloudWatch keeps the metrics drawn from them for 15 months
  name              = "/mlops/${var.name}/${var.role}/prometheus"
  retention_in_days = 7
  kms_key_id        = var.kms_key_arn
}

# The execution role: pull the image, write the logs, read this role's secrets.
data "aws_iam_policy_document" "execution" {
  statement {
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
  statement {
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = [replace(split("@", var.image)[0], "/^([0-9]+)\\.dkr\\.ecr\\.([a-z0-9-]+)\\.amazonaws\\.com\\/(.+)$/", "arn:aws:ecr:$2:$1:repository/$3")]
  }
  statement {
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.task.arn}:*", "${aws_cloudwatch_log_group.metrics.arn}:*"]
  }
  dynamic "statement" {
    for_each = length(var.secret_arns) > 0 ? [1] : []
    content {
      actions   = ["secretsmanager:GetSecretValue"]
      resources = var.secret_arns
    }
  }
  statement {
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
  }
}

module "execution_role" {
  source          = "../service_role"
  name            = "${local.full_name}-execution"
  service         = "ecs-tasks.amazonaws.com"
  inline_policies = { execution = data.aws_iam_policy_document.execution.json }
}

# The task's own role: what its role needs (task_policy_json), and the metrics agent's log group.
module "task_role" {
  source  = "../service_role"
  name    = "${local.full_name}-task"
  service = "ecs-tasks.amazonaws.com"
  inline_policies = merge(
    { cloudwatch-agent = data.aws_iam_policy_document.agent.json },
    var.calls_aws ? { task = var.task_policy_json } : {},
  )
}

# The agent writes the scraped metrics as embedded-metric log lines.
data "aws_iam_policy_document" "agent" {
  statement {
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["${aws_cloudwatch_log_group.metrics.arn}:*"]
  }
}

resource "aws_ecs_task_definition" "this" {
  family                   = local.full_name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = module.execution_role.arn
  task_role_arn            = module.task_role.arn
  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }
  volume {
    name = "data"
  }
  volume {
    name = "tmp"
  }
  container_definitions = jsonencode([
    {
      name                   = "mlops"
      image                  = var.image
      command                = var.command
      essential              = true
      user                   = "10001"
      readonlyRootFilesystem = true
      stopTimeout            = var.stop_timeout_seconds
      portMappings           = local.port_mappings
      environment            = [for key in sort(keys(var.environment)) : { name = key, value = var.environment[key] }]
      secrets                = [for key in sort(keys(var.secrets)) : { name = key, valueFrom = var.secrets[key] }]
      mountPoints = [
        { sourceVolume = "data", containerPath = "/var/lib/mlops", readOnly = false },
        { sourceVolume = "tmp", containerPath = "/tmp", readOnly = false },
      ]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.task.name
          awslogs-region        = var.region
          awslogs-stream-prefix = var.role
        }
      }
    },
    {
      name                   = "metrics-agent"
      image                  = var.agent_image
      essential              = false
      readonlyRootFilesystem = false
      environment = [
        { name = "CW_CONFIG_CONTENT", value = local.agent },
        { name = "PROMETHEUS_CONFIG_CONTENT", value = local.prometheus },
      ]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.metrics.name
          awslogs-region        = var.region
          awslogs-stream-prefix = "agent"
        }
      }
    },
  ])
}

resource "aws_ecs_service" "this" {
  name                   = local.full_name
  cluster                = var.cluster_arn
  task_definition        = aws_ecs_task_definition.this.arn
  desired_count          = var.desired
  launch_type            = "FARGATE"
  platform_version       = "LATEST"
  propagate_tags         = "SERVICE"
  enable_execute_command = false
  wait_for_steady_state  = false

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [var.security_group_id]
    assign_public_ip = false
  }

  dynamic "load_balancer" {
    for_each = var.target_group_arn == null ? [] : [var.target_group_arn]
    content {
      target_group_arn = load_balancer.value
      container_name   = "mlops"
      container_port   = var.port
    }
  }

  service_connect_configuration {
    enabled   = true
    namespace = var.namespace_arn
    log_configuration {
      log_driver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.task.name
        awslogs-region        = var.region
        awslogs-stream-prefix = "service-connect"
      }
    }
    dynamic "service" {
      for_each = var.service_connect_server ? [var.role] : []
      content {
        port_name      = service.value
        discovery_name = service.value
        client_alias {
          dns_name = service.value
          port     = var.port
        }
        timeout {
          # Validate may run for many minutes (five validators in a row); no proxy cuts it.
          per_request_timeout_seconds = 0
          idle_timeout_seconds        = 3600
        }
        tls {
          issuer_cert_authority {
            aws_pca_authority_arn = var.private_ca_arn
          }
          kms_key  = var.kms_key_arn
          role_arn = var.service_connect_tls_role_arn
        }
      }
    }
  }

  lifecycle {
    # Autoscaling owns the running count once the service exists.
    ignore_changes = [desired_count]
  }
}

resource "aws_appautoscaling_target" "this" {
  service_namespace  = "ecs"
  resource_id        = "service/${var.cluster_name}/${aws_ecs_service.this.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.min
  max_capacity       = var.max
}

resource "aws_appautoscaling_policy" "this" {
  name               = "${local.full_name}-${var.scaling.metric}"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  resource_id        = aws_appautoscaling_target.this.resource_id
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.scaling.target
    scale_in_cooldown  = 120
    scale_out_cooldown = 30

    dynamic "predefined_metric_specification" {
      for_each = var.scaling.metric == "queue_age" ? [] : [var.scaling.metric]
      content {
        predefined_metric_type = predefined_metric_specification.value == "cpu" ? "ECSServiceAverageCPUUtilization" : "ALBRequestCountPerTarget"
        resource_label         = predefined_metric_specification.value == "requests" ? var.scaling.alb_resource_label : null
      }
    }

    # The worker publishes the queue's age (mlops_queue_oldest_ready_seconds); every worker
    # reports the same figure, so the maximum across them is the queue's.
    dynamic "customized_metric_specification" {
      for_each = var.scaling.metric == "queue_age" ? [1] : []
      content {
        metric_name = "mlops_queue_oldest_ready_seconds"
        namespace   = var.metrics_namespace
        statistic   = "Maximum"
      }
    }
  }
}

output "service_name" { value = aws_ecs_service.this.name }
output "task_role_arn" { value = module.task_role.arn }
output "log_group" { value = aws_cloudwatch_log_group.task.name }

# What the tests read (deploy/terraform/tests).
output "containers" { value = jsondecode(aws_ecs_task_definition.this.container_definitions) }
output "service_connect" { value = one(aws_ecs_service.this.service_connect_configuration) }
output "circuit_breaker" { value = one(aws_ecs_service.this.deployment_circuit_breaker) }
output "scaling" { value = one(aws_appautoscaling_policy.this.target_tracking_scaling_policy_configuration) }
output "capacity" {
  value = {
    cpu = aws_ecs_task_definition.this.cpu, memory = aws_ecs_task_definition.this.memory,
    min = aws_appautoscaling_target.this.min_capacity, max = aws_appautoscaling_target.this.max_capacity
  }
}
output "task_policy" { value = lookup(module.task_role.inline_policies, "task", null) }
