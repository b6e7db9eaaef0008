# The ALB in front of the API only: HTTPS with the ACM certificate (HTTP redirects), a WAF
# with AWS's managed rules, and only the public paths forwarded; /metrics and anything else
# answer 404 at the load balancer.
variable "name" { type = string }
variable "vpc_id" { type = string }
variable "subnet_ids" { type = list(string) }
variable "certificate_arn" { type = string }
variable "log_bucket" { type = string }
variable "deletion_protection" { type = bool }
variable "api_port" { type = number }
variable "idle_timeout_seconds" {
  type        = number
  description = "Above the API's SSE rotation (MLOPS_SSE_MAX_SECONDS) so a stream ends on the server's terms."
}
variable "deregistration_delay_seconds" {
  type        = number
  description = "Shorter than the API task's stop timeout, so requests drain before the process stops."
}
variable "kms_key_arn" { type = string }
variable "log_retention_days" { type = number }

locals {
  public_paths = ["/v1/*", "/console", "/console/*", "/streams/*", "/downloads/*"]
  health_paths = ["/healthz", "/readyz", "/version", "/openapi.yaml"]
}

resource "aws_security_group" "alb" {
  #checkov:skip=CKV_AWS_260:port 80 is open only to redirect to HTTPS
  name        = "${var.name}-alb"
  description = "HTTPS from the internet to the API load balancer"
  vpc_id      = var.vpc_id
  ingress {
    description = "HTTPS"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  ingress {
    description = "HTTP, redirected to HTTPS"
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_lb" "this" {
  #checkov:skip=CKV2_AWS_20:the HTTP listener's only action is the redirect to HTTPS (listener "http")
  #checkov:skip=CKV2_AWS_76:the ACL has the Log4j rules (KnownBadInputs); this check also wants AnonymousIpList, which would block CI runners and cloud hosts calling the API
  #checkov:skip=CKV_AWS_150:on in production (var.deletion_protection); off in staging so that it can be torn down
  name                       = var.name
  load_balancer_type         = "application"
  internal                   = false
  subnets                    = var.subnet_ids
  security_groups            = [aws_security_group.alb.id]
  idle_timeout               = var.idle_timeout_seconds
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection
  access_logs {
    bucket  = var.log_bucket
    prefix  = "alb"
    enabled = true
  }
}

resource "aws_lb_target_group" "api" {
  #checkov:skip=CKV_AWS_378:TLS ends at the ALB; the hop to the API tasks stays inside the VPC's private subnets
  name                 = "${var.name}-api"
  port                 = var.api_port
  protocol             = "HTTP"
  target_type          = "ip"
  vpc_id               = var.vpc_id
  deregistration_delay = var.deregistration_delay_seconds
  health_check {
    path                = "/readyz"
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn
  default_action {
    type = "fixed-response"
    fixed_response {
      content_type = "application/json"
      message_body = "{\"error\":{\"code\":\"not_found\",\"message\":\"no such path\"}}"
      status_code  = "404"
    }
  }
}

resource "aws_lb_listener_rule" "public" {
  for_each     = { for index, paths in chunklist(concat(local.public_paths, local.health_paths), 5) : index => paths }
  listener_arn = aws_lb_listener.https.arn
  priority     = 10 + each.key
  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.api.arn
  }
  condition {
    path_pattern {
      values = each.value
    }
  }
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type = "redirect"
    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_wafv2_web_acl" "this" {
  name  = var.name
  scope = "REGIONAL"
  default_action {
    allow {}
  }
  rule {
    name     = "AWSManagedRulesCommonRuleSet"
    priority = 1
    override_action {
      none {}
    }
    statement {
      managed_rule_group_statement {
        name        = "AWSManagedRulesCommonRuleSet"
        vendor_name = "AWS"
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "AWSManagedRulesCommonRuleSet"
      sampled_requests_enabled   = true
    }
  }
  rule {
    name     = "AWSManagedRulesKnownBadInputsRuleSet"
    priority = 2
    override_action {
      none {}
    }
    statement {
      managed_rule_group_statement {
        name        = "AWSManagedRulesKnownBadInputsRuleSet"
        vendor_name = "AWS"
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "AWSManagedRulesKnownBadInputsRuleSet"
      sampled_requests_enabled   = true
    }
  }
  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = var.name
    sampled_requests_enabled   = true
  }
}

resource "aws_wafv2_web_acl_association" "this" {
  resource_arn = aws_lb.this.arn
  web_acl_arn  = aws_wafv2_web_acl.this.arn
}

# WAF requires its log group's name to start with aws-waf-logs-.
resource "aws_cloudwatch_log_group" "waf" {
  name              = "aws-waf-logs-${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_wafv2_web_acl_logging_configuration" "this" {
  resource_arn            = aws_wafv2_web_acl.this.arn
  log_destination_configs = [aws_cloudwatch_log_group.waf.arn]
}

output "security_group_id" { value = aws_security_group.alb.id }
output "target_group_arn" { value = aws_lb_target_group.api.arn }
output "target_group_arn_suffix" { value = aws_lb_target_group.api.arn_suffix }
output "arn_suffix" { value = aws_lb.this.arn_suffix }
output "dns_name" { value = aws_lb.this.dns_name }
output "idle_timeout" { value = aws_lb.this.idle_timeout }
output "deregistration_delay" { value = aws_lb_target_group.api.deregistration_delay }
output "forwarded_paths" { value = concat(local.public_paths, local.health_paths) }
