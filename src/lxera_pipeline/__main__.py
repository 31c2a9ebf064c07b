"""`python -m lxera_pipeline` runs the command line."""

from lxera_pipeline.cli import main

main()
