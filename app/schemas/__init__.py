"""Marshmallow schemas: request bodies are validated here, responses documented here."""
