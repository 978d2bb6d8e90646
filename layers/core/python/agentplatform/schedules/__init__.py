"""Graph schedules on EventBridge Scheduler: cron, the service behind the routes, firing."""
