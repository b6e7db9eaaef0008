# The deployment's customer-managed key (database, bundles, images, logs, secrets), rotated
# yearly. Its policy lets the account's IAM policies decide, and CloudWatch Logs use it for
# this account's log groups.
variable "name" { type = string }
variable "region" { type = string }

data "aws_caller_identity" "current" {}

# A key policy's Resource "*" is the key itself.
data "aws_iam_policy_document" "key" {
  #checkov:skip=CKV_AWS_109:a key policy names only this key ("*" in a key policy)
  #checkov:skip=CKV_AWS_111:a key policy names only this key ("*" in a key policy)
  #checkov:skip=CKV_AWS_356:a key policy names only this key ("*" in a key policy)
  statement {
    sid       = "Account"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
  statement {
    sid       = "CloudWatchLogs"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${var.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:aws:logs:${var.region}:${data.aws_caller_identity.current.account_id}:*"]
    }
  }
}

resource "aws_kms_key" "this" {
  description             = "${var.name}: database, bundles, images, logs, secrets"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.key.json
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.this.key_id
}

output "arn" { value = aws_kms_key.this.arn }
