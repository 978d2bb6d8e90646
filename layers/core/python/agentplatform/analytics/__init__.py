"""Raw analytics the frontend logs: stored per user, and emitted as CloudWatch metrics."""
