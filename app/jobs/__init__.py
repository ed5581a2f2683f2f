"""Batch work the worker and the command line run: the daily jobs, the deemed-decision sweep,
the outbox drain and the office's statistics."""
