"""China's rules, switchable per deployment (README: Compliance).

`COMPLIANCE_PROFILE=cn` turns on the gates the deep-synthesis provisions, the generative AI interim
measures and the labelling measures ask of a platform that publishes users' AI content in mainland
China; `global` (the default) leaves them off. Each gate also has its own setting, defaulting to
the profile, so an operator can mix.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from marketplace.core.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_matching,
    env_secret,
    env_str,
)

COMPLIANCE_PROFILE = env_choice("COMPLIANCE_PROFILE", "global", {"global", "cn"})
CN = COMPLIANCE_PROFILE == "cn"

# Complaints (deep-synthesis provisions Art. 12, generative AI measures Art. 15): the time staff
# have to decide a report, published on /complaints/ and in each receipt; and who gets the weekly
# summary of the queue (empty: the ADMINS).
COMPLAINT_RESPONSE_HOURS = env_int("COMPLAINT_RESPONSE_HOURS", 48 if CN else 72, minimum=1, maximum=24 * 30)
COMPLAINT_SUMMARY_TO = env_list("COMPLAINT_SUMMARY_TO", [])

# --- Retention (README: Compliance) ---------------------------------------------------------------
# The audit trail (listing events, moderation decisions, complaint handling, sign-ins, sign-outs and
# sign-in failures, verification changes) is kept at least six months (Cybersecurity Law Art. 21);
# orders, refunds and the ledger at least three years (E-Commerce Law Art. 31). The minimums are
# refused below the law, not clamped.
RETENTION_AUDIT_DAYS = env_int("RETENTION_AUDIT_DAYS", 180, minimum=180)
RETENTION_TRANSACTIONS_DAYS = env_int("RETENTION_TRANSACTIONS_DAYS", 1095, minimum=1095)
# Rows changed per statement by the retention task: short transactions, no long table locks.
RETENTION_BATCH_SIZE = env_int("RETENTION_BATCH_SIZE", 500, minimum=1)

# The implicit label's keyed digests (README: the implicit label's digests). Empty: derived from
# SECRET_KEY, so a deployment that rotates SECRET_KEY should set this to keep old labels checkable.
AI_LABEL_DIGEST_KEY = env_secret("AI_LABEL_DIGEST_KEY", "")

# --- Real-name verification (marketplace/verification/) ---------------------------------------

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
# The scene code of the company check (EntElementVerify), as set up in the Cloudauth console.
VERIFICATION_CN_ENT_SCENE_CODE = env_str("VERIFICATION_CN_ENT_SCENE_CODE", "dimsum_seller")
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
# Stripe Identity (document + selfie) as the seller's identity step instead of name + ID number;
# needs PAYMENTS_PROVIDER=stripe keys; its webhooks come to the payments endpoint.
VERIFICATION_STRIPE_IDENTITY = env_bool("VERIFICATION_STRIPE_IDENTITY", False)
# Refused at start-up rather than at the seller's first click: the session is created with the
# payments provider's Stripe keys (the same account receives its webhooks).
if VERIFICATION_STRIPE_IDENTITY and not env_secret("STRIPE_SECRET_KEY", ""):
    raise ImproperlyConfigured(
        "VERIFICATION_STRIPE_IDENTITY=1 needs the Stripe payments provider: set STRIPE_SECRET_KEY and "
        "STRIPE_WEBHOOK_SECRET, or turn VERIFICATION_STRIPE_IDENTITY off."
    )

# --- Payout rails (payments: README "Manual payouts") --------------------------------------------
# connect: Stripe Connect (destination charges). manual: charged on the platform, the seller's
# share accrues in the ledger and staff pay closed statements by bank or Alipay. country: manual
# for sellers whose verified country Connect does not serve (STRIPE_CONNECT_COUNTRIES), else connect.
PAYOUT_RAIL_DEFAULT = env_choice(
    "PAYOUT_RAIL_DEFAULT", "country" if CN else "connect", {"connect", "manual", "country"}
)
# The countries (ISO 3166-1 alpha-2) where Stripe Connect pays individuals out.
_CONNECT_COUNTRIES = (
    "AT AU BE BG CA CH CY CZ DE DK EE ES FI FR GB GI GR HK HR HU IE IT JP LI LT LU LV MT MX NL NO NZ PL "
    "PT RO SE SG SI SK TH US"
)
STRIPE_CONNECT_COUNTRIES = [
    code.upper() for code in env_list("STRIPE_CONNECT_COUNTRIES", _CONNECT_COUNTRIES.split())
]
MANUAL_PAYOUT_SCHEDULE = env_choice("MANUAL_PAYOUT_SCHEDULE", "weekly", {"daily", "weekly", "monthly"})


# The least a statement pays, per currency: configured in major units ("CNY=100,USD=20"), kept in
# minor units ({"CNY": 10000, ...}); a currency not listed closes at any positive amount. Each pair
# is converted at start-up, so a currency we do not know or too many decimals refuses to start
# instead of breaking every hourly statement run.
def _minor_units_per_currency(name: str, value: str) -> dict[str, int]:
    # Checked here before minor_from_major: its own errors are translated, and translations cannot
    # load before the apps do.
    from marketplace.core.money import CURRENCIES, minor_from_major

    minimum = {}
    for pair in filter(None, value.split(",")):
        code, amount = pair.split("=")
        currency = CURRENCIES.get(code)
        if currency is None:
            raise ImproperlyConfigured(
                f"{name}: {pair!r} names an unknown currency; use one of {', '.join(CURRENCIES)}."
            )
        fraction = amount.partition(".")[2].rstrip("0")
        if len(fraction) > currency.exponent:
            raise ImproperlyConfigured(
                f"{name}: {pair!r} has more decimals than {code} has ({currency.exponent})."
            )
        minimum[code] = minor_from_major(amount, code)
    return minimum


MANUAL_PAYOUT_MINIMUM = _minor_units_per_currency(
    "MANUAL_PAYOUT_MINIMUM",
    env_matching(
        "MANUAL_PAYOUT_MINIMUM",
        "CNY=100,USD=20,EUR=20,GBP=20,HKD=150,JPY=3000",
        r"([A-Z]{3}=\d+(\.\d+)?)?(,[A-Z]{3}=\d+(\.\d+)?)*",
        shape="comma-separated CURRENCY=amount pairs in major units, like CNY=100,USD=20",
    ),
)
# Fernet keys (comma-separated, the first encrypts, the others only decrypt: key rotation) for the
# sellers' payout account details. DEBUG gets a key derived from SECRET_KEY; DEBUG=0 with the manual
# rail on must set one.
PAYOUT_DETAILS_KEY = env_secret("PAYOUT_DETAILS_KEY", "")
if not PAYOUT_DETAILS_KEY and PAYOUT_RAIL_DEFAULT != "connect" and not env_bool("DEBUG", True):
    raise ImproperlyConfigured(
        "PAYOUT_DETAILS_KEY must be set when DEBUG=0 and the manual payout rail is on "
        "(make one: python -c 'from cryptography.fernet import Fernet; "
        "print(Fernet.generate_key().decode())')."
    )
