environment        = "staging"
region             = "eu-west-1"
availability_zones = 2
nat_gateways       = 1
log_retention_days = 365

database = {
  instance_class        = "db.t4g.medium"
  allocated_storage_gb  = 20
  max_storage_gb        = 100
  multi_az              = false
  backup_retention_days = 7
  deletion_protection   = false
}

services = {
  api     = { cpu = 512, memory = 1024, desired = 1, min = 1, max = 3 }
  worker  = { cpu = 512, memory = 1024, desired = 1, min = 1, max = 4 }
  planner = { cpu = 256, memory = 512, desired = 1, min = 1, max = 3 }
  critics = { cpu = 256, memory = 512, desired = 1, min = 1, max = 3 }
  policy  = { cpu = 256, memory = 512, desired = 1, min = 1, max = 2 }
  codegen = { cpu = 1024, memory = 4096, desired = 1, min = 1, max = 4 }
}
