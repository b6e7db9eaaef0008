environment        = "production"
region             = "eu-west-1"
availability_zones = 3
nat_gateways       = 3
log_retention_days = 365

database = {
  instance_class        = "db.m6g.large"
  allocated_storage_gb  = 100
  max_storage_gb        = 1000
  multi_az              = true
  backup_retention_days = 30
  deletion_protection   = true
}

services = {
  api     = { cpu = 1024, memory = 2048, desired = 2, min = 2, max = 10 }
  worker  = { cpu = 1024, memory = 2048, desired = 2, min = 2, max = 12 }
  planner = { cpu = 512, memory = 1024, desired = 2, min = 2, max = 8 }
  critics = { cpu = 512, memory = 1024, desired = 2, min = 2, max = 8 }
  policy  = { cpu = 256, memory = 512, desired = 2, min = 2, max = 4 }
  codegen = { cpu = 2048, memory = 8192, desired = 2, min = 2, max = 8 }
}
