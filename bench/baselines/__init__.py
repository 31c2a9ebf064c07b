"""The queues our daemon is compared with, each with a no-op task and its worker entry point."""
