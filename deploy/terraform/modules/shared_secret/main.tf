# A random key every replica of a role must share (Codegen's manifest signing key, the API's
# download and stream-ticket key), made once in Secrets Manager; later applies leave the
# stored value alone. To rotate one, put a new value and redeploy the roles that read it.
variable "name" { type = string }
variable "description" { type = string }
variable "kms_key_arn" { type = string }

data "aws_secretsmanager_random_password" "this" {
  password_length     = 64
  exclude_punctuation = true
}

resource "aws_secretsmanager_secret" "this" {
  #checkov:skip=CKV2_AWS_57:an HMAC key its replicas share; rotating it means redeploying them together (deploy/README.md)
  name_prefix = "${var.name}-"
  description = var.description
  kms_key_id  = var.kms_key_arn
}

resource "aws_secretsmanager_secret_version" "this" {
  secret_id     = aws_secretsmanager_secret.this.id
  secret_string = data.aws_secretsmanager_random_password.this.random_password
  lifecycle {
    ignore_changes = [secret_string]
  }
}

output "arn" { value = aws_secretsmanager_secret.this.arn }
