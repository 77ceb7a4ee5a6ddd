"""China's rules, switchable per deployment (README: Compliance).

`COMPLIANCE_PROFILE=cn` turns on the gates the deep-synthesis provisions, the generative AI interim
measures and the labelling measures ask of a platform that publishes users' AI content in mainland
China; `global` (the default) leaves them off. Each gate also has its own setting, defaulting to
the profile, so an operator can mix.
"""

from __future__ import annotations

from marketplace.core.env import env_choice, env_secret

COMPLIANCE_PROFILE = env_choice("COMPLIANCE_PROFILE", "global", {"global", "cn"})
CN = COMPLIANCE_PROFILE == "cn"

# The implicit label's keyed digests (README: the implicit label's digests). Empty: derived from
# SECRET_KEY, so a deployment that rotates SECRET_KEY should set this to keep old labels checkable.
AI_LABEL_DIGEST_KEY = env_secret("AI_LABEL_DIGEST_KEY", "")
