"""The job functions RQ runs, by subject; workers/registry.py names each one's dotted path."""
