"""Run semantics: pin naming, readiness, routing and status transitions."""
