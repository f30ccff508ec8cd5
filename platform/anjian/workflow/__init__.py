"""Processes as metadata: states, transitions, deadlines, inbox."""
