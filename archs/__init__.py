"""Bundled network specs, installed as package data `costnet.archs` (see pyproject.toml)."""
