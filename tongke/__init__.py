"""Tongke (同课): the same lesson, shared across a region."""
