"""The `vosbench` subcommands: each module adds its commands' parsers and runs them."""
