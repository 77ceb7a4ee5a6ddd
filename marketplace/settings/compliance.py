"""China's rules, switchable per deployment (README: Compliance).

`COMPLIANCE_PROFILE=cn` turns on the gates the deep-synthesis provisions, the generative AI interim
measures and the labelling measures ask of a platform that publishes users' AI content in mainland
China; `global` (the default) leaves them off. Each gate also has its own setting, defaulting to
the profile, so an operator can mix.
"""

from __future__ import annotations

from marketplace.core.env import env_choice

COMPLIANCE_PROFILE = env_choice("COMPLIANCE_PROFILE", "global", {"global", "cn"})
CN = COMPLIANCE_PROFILE == "cn"
