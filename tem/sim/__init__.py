"""Faithful simulators of what cannot run here: devices (batteries) and the community."""
