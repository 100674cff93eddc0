"""The ``mentor-match`` command line: a thin click layer over :mod:`matcher.api`."""
