"""The two-module workflow run, shared by every test module in this directory (driven once)."""

from tests.integration.workflow_support import workflow_run

__all__ = ["workflow_run"]
