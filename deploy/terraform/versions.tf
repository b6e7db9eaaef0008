terraform {
  required_version = ">= 1.10"
  # Filled in by deploy/scripts/terraform-environment (-backend-config): a bucket per account,
  # a key per environment, S3's own lock file.
  backend "s3" {}
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.80, < 6.0" }
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = {
      application = "mlops"
      environment = var.environment
      managed-by  = "terraform"
    }
  }
}
