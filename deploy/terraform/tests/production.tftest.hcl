# terraform test -filter=tests/production.tftest.hcl -var-file=environments/production.tfvars
mock_provider "aws" {
  source = "../mocks"
}

variables {
  image           = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mlops-production@sha256:0000000000000000000000000000000000000000000000000000000000000000"
  certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/abc"
  public_host     = "mlops.example.com"
  oidc_issuer     = "https://login.example.com"
  private_ca_arn  = "arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/abc"
}

run "production_is_multi_az_and_runs_two_of_everything" {
  command = apply

  assert {
    condition     = output.database.multi_az
    error_message = "production's database is Multi-AZ"
  }
  assert {
    condition     = alltrue([for role, service in module.service : service.capacity.min >= 2])
    error_message = "every role keeps two tasks, one per zone at least"
  }
}

run "an_unknown_environment_is_refused" {
  command = plan
  variables {
    environment = "qa"
  }
  expect_failures = [var.environment]
}
