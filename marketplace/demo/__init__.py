"""Demo data for a local run (`manage.py seed_demo`): it may import every app, and nothing imports it."""
