"""Helpers the tests share (no test module imports another): builders, waiting, the outside world's stand-ins."""
