"""Sub-commands of the `newscrawl` CLI; each module has `add_arguments(parser)` and `run(args)`."""
