"""Evaluation harnesses behind `factcheck eval NAME`: each prints JSON metrics on stdout.

Each module defines run(args) -> exit code; its arguments are declared in pipeline/cli.py, with
every other command's.
"""
