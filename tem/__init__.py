"""The runtime that ties the rooms together: settings, the bus, the local stack, the CLI.

It is the composition root: the only package that may import every other one.
"""
