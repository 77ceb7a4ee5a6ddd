"""China's rules, switchable per deployment (README: Compliance).

`COMPLIANCE_PROFILE=cn` turns on the gates the deep-synthesis provisions, the generative AI interim
measures and the labelling measures ask of a platform that publishes users' AI content in mainland
China; `global` (the default) leaves them off. Each gate also has its own setting, defaulting to
the profile, so an operator can mix.
"""

from __future__ import annotations

from marketplace.core.env import env_choice, env_int, env_list, env_secret

COMPLIANCE_PROFILE = env_choice("COMPLIANCE_PROFILE", "global", {"global", "cn"})
CN = COMPLIANCE_PROFILE == "cn"

# Complaints (deep-synthesis provisions Art. 12, generative AI measures Art. 15): the time staff
# have to decide a report, published on /complaints/ and in each receipt; and who gets the weekly
# summary of the queue (empty: the ADMINS).
COMPLAINT_RESPONSE_HOURS = env_int("COMPLAINT_RESPONSE_HOURS", 48 if CN else 72, minimum=1, maximum=24 * 30)
COMPLAINT_SUMMARY_TO = env_list("COMPLAINT_SUMMARY_TO", [])

# --- Retention (README: Compliance) ---------------------------------------------------------------
# The audit trail (listing events, moderation decisions, complaint handling, sign-in failures) is
# kept at least six months (Cybersecurity Law Art. 21); orders, refunds and the ledger at least
# three years (E-Commerce Law Art. 31). The minimums are refused below the law, not clamped.
RETENTION_AUDIT_DAYS = env_int("RETENTION_AUDIT_DAYS", 180, minimum=180)
RETENTION_TRANSACTIONS_DAYS = env_int("RETENTION_TRANSACTIONS_DAYS", 1095, minimum=1095)
# Rows changed per statement by the retention task: short transactions, no long table locks.
RETENTION_BATCH_SIZE = env_int("RETENTION_BATCH_SIZE", 500, minimum=1)

# The implicit label's keyed digests (README: the implicit label's digests). Empty: derived from
# SECRET_KEY, so a deployment that rotates SECRET_KEY should set this to keep old labels checkable.
AI_LABEL_DIGEST_KEY = env_secret("AI_LABEL_DIGEST_KEY", "")
