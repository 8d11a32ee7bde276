"""Tests of the server transport layer: tokens, rate limiter, a real server smoke test."""
