"""The `ims-bot` command line: one module per group of subcommands."""
