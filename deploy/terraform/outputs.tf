output "load_balancer_dns_name" {
  description = "Point public_host at this (a CNAME or an alias record)."
  value       = module.load_balancer.dns_name
}

output "repository_url" {
  description = "Where the deploy workflow pushes the image."
  value       = module.storage.repository_url
}

output "artifact_bucket" { value = module.storage.artifact_bucket }
output "cluster" { value = aws_ecs_cluster.this.name }
output "services" { value = { for role, service in module.service : role => service.service_name } }

output "database" {
  value = { multi_az = module.database.multi_az, instance = module.database.instance_id }
}

output "load_balancer" {
  value = {
    idle_timeout         = module.load_balancer.idle_timeout
    deregistration_delay = module.load_balancer.deregistration_delay
    forwarded_paths      = module.load_balancer.forwarded_paths
  }
}
