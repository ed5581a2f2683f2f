"""What only HTTP requests need: auth, idempotency, request guards, uploads, logging, problems."""
