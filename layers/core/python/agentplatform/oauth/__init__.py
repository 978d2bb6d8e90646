"""The platform's OAuth 2.0 provider: third-party apps act for users on the external API."""
