"""The operator commands' logic, one module per command (the command line only parses)."""
