environment = "staging"
region      = "eu-west-1"

database = {
  instance_class        = "db.t4g.medium"
  allocated_storage_gb  = 20
  max_storage_gb        = 100
  multi_az              = false
  backup_retention_days = 7
  deletion_protection   = false
}

instance = { cpu = "2 vCPU", memory = "4 GB", min = 1, max = 2, max_concurrency = 100 }
