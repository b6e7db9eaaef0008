# terraform test -filter=tests/staging.tftest.hcl -var-file=environments/staging.tfvars
mock_provider "aws" {
  source = "../mocks"
}

variables {
  image           = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mlops-staging@sha256:0000000000000000000000000000000000000000000000000000000000000000"
  certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/abc"
  public_host     = "mlops.staging.example.com"
  oidc_issuer     = "https://login.example.com"
  private_ca_arn  = "arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/abc"
}

run "every_role_is_its_own_service_sized_and_scaled_on_its_own" {
  command = apply

  assert {
    condition     = toset(keys(output.services)) == toset(["api", "worker", "planner", "critics", "policy", "codegen"])
    error_message = "one ECS service per role"
  }
  assert {
    condition     = module.service["codegen"].capacity.memory == "4096" && module.service["planner"].capacity.memory == "512"
    error_message = "each role has its own task size"
  }
  assert {
    condition     = alltrue([for role in ["planner", "critics", "policy", "codegen"] : module.service[role].scaling.predefined_metric_specification[0].predefined_metric_type == "ECSServiceAverageCPUUtilization"])
    error_message = "the gRPC services scale on CPU"
  }
  assert {
    condition     = module.service["api"].scaling.predefined_metric_specification[0].predefined_metric_type == "ALBRequestCountPerTarget"
    error_message = "the API scales on requests per target"
  }
  assert {
    condition     = length(module.service["worker"].scaling.predefined_metric_specification) == 0 && module.service["worker"].scaling.customized_metric_specification[0].metric_name == "mlops_queue_oldest_ready_seconds"
    error_message = "the worker scales on the age of the oldest ready job, the metric it publishes"
  }
  assert {
    condition     = alltrue([for role, service in module.service : service.circuit_breaker.enable && service.circuit_breaker.rollback])
    error_message = "every deployment rolls back when it cannot reach a steady state"
  }
}

run "grpc_goes_over_service_connect_and_edge_finds_the_services_by_name" {
  command = apply

  assert {
    condition     = alltrue([for role in ["planner", "critics", "policy", "codegen"] : module.service[role].containers[0].portMappings[0].appProtocol == "grpc"])
    error_message = "the services' ports are gRPC to Service Connect"
  }
  assert {
    condition     = alltrue([for role in ["planner", "critics", "policy", "codegen"] : length(module.service[role].service_connect.service) == 1 && module.service[role].service_connect.service[0].tls[0].issuer_cert_authority[0].aws_pca_authority_arn == var.private_ca_arn])
    error_message = "each service publishes its port in the namespace with TLS from the private CA"
  }
  assert {
    condition     = alltrue([for role in ["api", "worker"] : module.service[role].service_connect.enabled && length(module.service[role].service_connect.service) == 0])
    error_message = "the Edge roles are Service Connect clients only"
  }
  assert {
    condition = alltrue([for role in ["api", "worker"] : contains(module.service[role].containers[0].environment, { name = "MLOPS_PLANNER_ADDR", value = "planner:50051" })
    && contains(module.service[role].containers[0].environment, { name = "MLOPS_GRPC_TLS", value = "mesh" })])
    error_message = "Edge calls the services by their Service Connect names, leaving TLS to the mesh"
  }
  assert {
    condition = (alltrue([for role in ["api", "worker"] : contains(module.service[role].containers[0].environment, { name = "MLOPS_REPOSITORIES", value = "database" })])
    && alltrue([for role, service in module.service : contains(service.containers[0].environment, { name = "MLOPS_QUARANTINE", value = "log" })]))
    error_message = "nothing a task keeps lives only on its disk: git history in PostgreSQL, rejected replies in the log"
  }
  assert {
    condition     = contains(module.service["api"].containers[0].secrets, { name = "DATABASE_PASSWORD", valueFrom = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds-master-abc:password::" })
    error_message = "the database password comes from the RDS-managed secret, not the task definition"
  }
  assert {
    condition     = contains([for secret in module.service["api"].containers[0].secrets : secret.name], "MLOPS_DOWNLOAD_SECRET")
    error_message = "every API replica signs and checks stream tickets with one shared key"
  }
  assert {
    condition     = alltrue([for role, service in module.service : service.containers[0].readonlyRootFilesystem && service.containers[0].user == "10001"])
    error_message = "every task runs as the image's user on a read-only root"
  }
}

run "the_load_balancer_outlives_an_sse_stream_and_drains_before_the_api_stops" {
  command = apply

  assert {
    condition     = output.load_balancer.idle_timeout > 100
    error_message = "the ALB's idle timeout is above the SSE rotation (MLOPS_SSE_MAX_SECONDS = 100)"
  }
  assert {
    condition     = output.load_balancer.deregistration_delay < module.service["api"].containers[0].stopTimeout
    error_message = "the target deregisters before the API's stop timeout runs out"
  }
  assert {
    condition     = !contains(output.load_balancer.forwarded_paths, "/metrics") && contains(output.load_balancer.forwarded_paths, "/v1/*")
    error_message = "the ALB forwards the public API, never /metrics"
  }
}

run "each_task_may_do_only_what_its_role_needs" {
  command = apply

  assert {
    condition     = alltrue([for role in ["planner", "critics", "policy", "codegen"] : module.service[role].task_policy == null])
    error_message = "the gRPC services call no AWS API"
  }
  assert {
    condition     = module.service["api"].task_policy != null && module.service["worker"].task_policy != null
    error_message = "the Edge roles read (API) and write (worker) bundles"
  }
}

run "staging_runs_one_database_instance" {
  command = apply

  assert {
    condition     = output.database.multi_az == false
    error_message = "staging's database is Single-AZ"
  }
}
