"""One construct per concern; ``infra_cdk.stack`` wires them together."""
