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

# --- Real-name verification (marketplace/verification/) ---------------------------------------
from django.core.exceptions import ImproperlyConfigured  # noqa: E402

from marketplace.core.env import env_bool, env_int, env_secret, env_str  # noqa: E402

# Sellers verified to publish, buyers a verified phone before their first purchase or review.
VERIFICATION_REQUIRED = env_bool("VERIFICATION_REQUIRED", CN)
VERIFICATION_PROVIDER = env_choice("VERIFICATION_PROVIDER", "sandbox", {"sandbox", "cn_sms_id"})
# How many shops one identity (one ID number) may open.
VERIFICATION_MAX_ACCOUNTS_PER_IDENTITY = env_int("VERIFICATION_MAX_ACCOUNTS_PER_IDENTITY", 1, minimum=1)
# Keys the identity hash; empty: a key derived from SECRET_KEY (rotating that then re-keys the hashes).
VERIFICATION_HASH_KEY = env_secret("VERIFICATION_HASH_KEY", "")
VERIFICATION_CODE_TTL_SECONDS = env_int("VERIFICATION_CODE_TTL_SECONDS", 300, minimum=60)
# cn_sms_id: Alibaba Cloud's SMS (SendSms) and its ID two-factor check (README "Compliance").
VERIFICATION_CN_SMS_URL = env_str("VERIFICATION_CN_SMS_URL", "https://dysmsapi.aliyuncs.com").rstrip("/")
VERIFICATION_CN_ID_URL = env_str("VERIFICATION_CN_ID_URL", "https://cloudauth.aliyuncs.com").rstrip("/")
VERIFICATION_CN_ACCESS_KEY_ID = env_str("VERIFICATION_CN_ACCESS_KEY_ID", "")
VERIFICATION_CN_ACCESS_KEY_SECRET = env_secret("VERIFICATION_CN_ACCESS_KEY_SECRET", "")
VERIFICATION_CN_SMS_SIGN_NAME = env_str("VERIFICATION_CN_SMS_SIGN_NAME", "")
VERIFICATION_CN_SMS_TEMPLATE_CODE = env_str("VERIFICATION_CN_SMS_TEMPLATE_CODE", "")
VERIFICATION_CN_TIMEOUT_SECONDS = env_int("VERIFICATION_CN_TIMEOUT_SECONDS", 10, minimum=1, maximum=60)
if VERIFICATION_PROVIDER == "cn_sms_id" and not (
    VERIFICATION_CN_ACCESS_KEY_ID and VERIFICATION_CN_ACCESS_KEY_SECRET
):
    raise ImproperlyConfigured(
        "VERIFICATION_PROVIDER=cn_sms_id needs VERIFICATION_CN_ACCESS_KEY_ID and "
        "VERIFICATION_CN_ACCESS_KEY_SECRET."
    )
# The sandbox verifies anyone instantly: never where the gate is real (DEBUG=0).
VERIFICATION_SANDBOX_ALLOWED = env_bool("DEBUG", True)
if VERIFICATION_PROVIDER == "sandbox" and VERIFICATION_REQUIRED and not VERIFICATION_SANDBOX_ALLOWED:
    raise ImproperlyConfigured(
        "DEBUG=0 with VERIFICATION_REQUIRED and the sandbox provider: set VERIFICATION_PROVIDER=cn_sms_id."
    )
