"""The CDK app: everything the platform needs in one AWS account, one construct per concern."""
