# The platform's CloudWatch dashboard and alarms, for the ECS deployment. The CloudWatch agent
# scrapes each task's /metrics (Prometheus format) into var.namespace with the ECS service
# name as a dimension; counters arrive as deltas per scrape, gauges as values, and histograms
# as their _sum and _count (so the plan round trip alarms on its mean; its p95 is Grafana's,
# over deploy/observability/prometheus/alerts.yml).
terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.0" }
  }
}

variable "name" {
  type        = string
  description = "Prefix of the dashboard and alarm names, e.g. mlops-production."
}

variable "namespace" {
  type        = string
  default     = "MLOps/Prometheus"
  description = "Where the CloudWatch agent puts the scraped metrics."
}

variable "region" {
  type = string
}

variable "load_balancer" {
  type        = string
  description = "The ALB in front of the API (its arn_suffix), for the 5xx share."
}

variable "alarm_actions" {
  type        = list(string)
  default     = []
  description = "SNS topics the alarms notify."
}

locals {
  dashboard = templatefile("${path.module}/dashboard.json", {
    namespace     = var.namespace
    region        = var.region
    load_balancer = var.load_balancer
  })
}

resource "aws_cloudwatch_dashboard" "platform" {
  dashboard_name = var.name
  dashboard_body = local.dashboard
}

resource "aws_cloudwatch_metric_alarm" "dead_jobs" {
  alarm_name          = "${var.name}-dead-jobs"
  alarm_description   = "A job died after its last attempt (mlops_worker_jobs_total, outcome dead)."
  namespace           = var.namespace
  metric_name         = "mlops_worker_jobs_total"
  dimensions          = { outcome = "dead" }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "queue_age" {
  alarm_name          = "${var.name}-queue-age"
  alarm_description   = "A ready job has waited more than 2 minutes (mlops_queue_oldest_ready_seconds)."
  namespace           = var.namespace
  metric_name         = "mlops_queue_oldest_ready_seconds"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  comparison_operator = "GreaterThanThreshold"
  threshold           = 120
  treat_missing_data  = "breaching"
  alarm_actions       = var.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "http_5xx" {
  alarm_name          = "${var.name}-http-5xx"
  alarm_description   = "More than 1% of API requests answer 5xx."
  evaluation_periods  = 10
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0.01
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions

  metric_query {
    id          = "share"
    expression  = "errors / MAX([requests, 1])"
    label       = "5xx share"
    return_data = true
  }
  metric_query {
    id = "errors"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      dimensions  = { LoadBalancer = var.load_balancer }
      period      = 60
      stat        = "Sum"
    }
  }
  metric_query {
    id = "requests"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "RequestCount"
      dimensions  = { LoadBalancer = var.load_balancer }
      period      = 60
      stat        = "Sum"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "plan_round_trip" {
  alarm_name          = "${var.name}-plan-round-trip"
  alarm_description   = "The mean time from a run's claim to its approval gate is above 3 s (mlops_plan_round_trip_seconds)."
  evaluation_periods  = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = 3
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions

  metric_query {
    id          = "mean"
    expression  = "total / MAX([runs, 1])"
    label       = "mean plan round trip (s)"
    return_data = true
  }
  metric_query {
    id = "total"
    metric {
      namespace   = var.namespace
      metric_name = "mlops_plan_round_trip_seconds_sum"
      period      = 300
      stat        = "Sum"
    }
  }
  metric_query {
    id = "runs"
    metric {
      namespace   = var.namespace
      metric_name = "mlops_plan_round_trip_seconds_count"
      period      = 300
      stat        = "Sum"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "budget_exhausted" {
  alarm_name          = "${var.name}-budget-exhausted"
  alarm_description   = "A project's budget is spent: new runs are refused (mlops_budget_exhausted_total)."
  namespace           = var.namespace
  metric_name         = "mlops_budget_exhausted_total"
  statistic           = "Sum"
  period              = 900
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
}

output "dashboard_name" {
  value = aws_cloudwatch_dashboard.platform.dashboard_name
}
