"""Outputs: renderers from analyses to text, JSON, CSV, Markdown, tables, plots, reports and check results."""
