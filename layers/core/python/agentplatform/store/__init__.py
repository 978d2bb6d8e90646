"""DynamoDB repositories. The only code that knows key layouts (see docs/data-model.md)."""
