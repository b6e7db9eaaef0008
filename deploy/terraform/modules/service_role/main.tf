# An IAM role that one AWS service assumes, with its inline policies and managed policies:
# every role of the deployment is one of these.
variable "name" { type = string }
variable "service" {
  type        = string
  description = "The principal that assumes the role, e.g. ecs-tasks.amazonaws.com."
}
variable "inline_policies" {
  type        = map(string)
  default     = {}
  description = "Policy name to policy JSON."
}
variable "managed_policy_arns" {
  type    = list(string)
  default = []
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = [var.service]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = var.name
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_role_policy" "this" {
  for_each = var.inline_policies
  name     = each.key
  role     = aws_iam_role.this.id
  policy   = each.value
}

resource "aws_iam_role_policy_attachment" "this" {
  for_each   = toset(var.managed_policy_arns)
  role       = aws_iam_role.this.name
  policy_arn = each.value
}

output "arn" { value = aws_iam_role.this.arn }
output "name" { value = aws_iam_role.this.name }
output "inline_policies" { value = { for name, policy in aws_iam_role_policy.this : name => policy.policy } }
