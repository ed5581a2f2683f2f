"""Adapters to the world outside the database: storage, WeChat, courier, signer."""
