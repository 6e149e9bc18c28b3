"""Digests by email: what a person's For you brought since their last digest, and their actions."""
