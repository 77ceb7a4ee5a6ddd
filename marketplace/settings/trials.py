"""Settings of trial runs ("try before you buy"), read from the environment (README: Configuration)."""

from __future__ import annotations

from marketplace.core.env import env_bool, env_choice, env_int, env_secret, env_str

# Which generator renders image trials: "local" draws a labelled example offline (the default while
# DEBUG is on, so `make run` works without a network), the others reuse the preview generators'
# keys and endpoints, "none" turns trials off platform-wide.
TRIAL_GENERATOR = env_choice(
    "TRIAL_GENERATOR",
    "local" if env_bool("DEBUG", True) else "none",
    {"none", "local", "openai", "stability", "diffusers"},
)
TRIAL_IMAGE_SIZE = env_int("TRIAL_IMAGE_SIZE", 512, minimum=64, maximum=1024)
TRIAL_PER_BUYER_DAILY = env_int("TRIAL_PER_BUYER_DAILY", 10, minimum=0)
TRIAL_DAILY_BUDGET = env_int("TRIAL_DAILY_BUDGET", 500, minimum=0)
TRIAL_VALUE_MAX_CHARS = env_int("TRIAL_VALUE_MAX_CHARS", 200, minimum=1, maximum=2000)
# Text-model listings: an OpenAI-compatible chat completions endpoint (a local server works). Empty:
# the local canned-answer generator under TRIAL_GENERATOR=local, otherwise no text trials.
TRIAL_TEXT_BASE_URL = env_str("TRIAL_TEXT_BASE_URL", "").rstrip("/")
TRIAL_TEXT_MODEL = env_str("TRIAL_TEXT_MODEL", "gpt-4o-mini")
TRIAL_TEXT_API_KEY = env_secret("TRIAL_TEXT_API_KEY", "")
TRIAL_TEXT_MAX_CHARS = env_int("TRIAL_TEXT_MAX_CHARS", 400, minimum=50, maximum=4000)
TRIAL_TEXT_TIMEOUT = env_int("TRIAL_TEXT_TIMEOUT", 60, minimum=5)
