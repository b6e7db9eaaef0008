environment = "production"
region      = "eu-west-1"

database = {
  instance_class        = "db.m6g.large"
  allocated_storage_gb  = 100
  max_storage_gb        = 1000
  multi_az              = true
  backup_retention_days = 30
  deletion_protection   = true
}

instance = { cpu = "4 vCPU", memory = "12 GB", min = 2, max = 10, max_concurrency = 100 }
