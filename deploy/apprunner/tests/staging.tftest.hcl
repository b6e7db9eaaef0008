# terraform test -var-file=environments/staging.tfvars
mock_provider "aws" {
  source = "../mocks"
}

variables {
  image       = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mlops-staging-ar:v1"
  oidc_issuer = "https://login.example.com"
}

run "one_serve_per_instance_on_rds_and_s3" {
  command = apply

  assert {
    condition     = output.service.start_command == "serve"
    error_message = "App Runner runs the all-in-one topology"
  }
  assert {
    condition     = startswith(output.service.environment["DATABASE_URL"], "postgres://mlops@") && output.service.environment["MLOPS_ARTIFACT_STORE"] == "s3"
    error_message = "state lives in RDS (through the proxy, no password in the URL) and bundles in S3"
  }
  assert {
    condition     = tonumber(output.service.environment["MLOPS_SSE_MAX_SECONDS"]) < 120
    error_message = "SSE streams rotate under App Runner's 120 s request limit"
  }
  assert {
    condition     = output.service.health_path == "/readyz" && output.service.egress == "VPC"
    error_message = "health on /readyz; egress through the VPC connector to the database"
  }
}
