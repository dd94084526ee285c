"""Sinks: `cdw-lite`, the embedded DataHub Lite path written faster (see `fast_lite`)."""
