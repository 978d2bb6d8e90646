"""The ``email`` API domain: one-click unsubscribe and bounce/complaint feedback."""
