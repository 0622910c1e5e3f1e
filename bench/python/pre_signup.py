"""The PreSignUp decision of functions/pre-signup, written as a Python trigger usually is,
for the benchmarks' same-work comparison: the same environment variables, the same event,
the same answer (auto-confirm for allowed domains, errors for the rest)."""

import json
import os


def _normalize(domain):
    domain = domain.strip()
    ascii_domain = domain.encode("idna").decode("ascii").lower()
    if not ascii_domain or any(label == "" for label in ascii_domain.split(".")):
        raise ValueError(f"{domain!r} is not a valid domain name")
    return ascii_domain


def _patterns(name):
    result = []
    for entry in os.environ.get(name, "").split(","):
        entry = entry.strip()
        if entry.startswith("*."):
            result.append(("subdomains", _normalize(entry[2:])))
        elif entry:
            result.append(("exact", _normalize(entry)))
    return result


def _matches(pattern, domain):
    kind, value = pattern
    return domain == value if kind == "exact" else domain.endswith("." + value)


ALLOWED = _patterns("ALLOWED_EMAIL_DOMAINS")
DENIED = _patterns("DENIED_EMAIL_DOMAINS")
AUTO_CONFIRM = os.environ.get("AUTO_CONFIRM", "never").lower()


def _email_domain(email):
    local, at, domain = email.strip().partition("@")
    if not at or not local or "@" in domain:
        return None
    try:
        return _normalize(domain)
    except (ValueError, UnicodeError):
        return None


class SignUpRejected(Exception):
    pass


def handler(event, context):
    email = event.get("request", {}).get("userAttributes", {}).get("email")
    if email is None:
        if ALLOWED:
            raise SignUpRejected("An email address is required to sign up.")
        return event
    domain = _email_domain(email)
    if domain is None:
        raise SignUpRejected("Please sign up with a valid email address.")
    in_allowed = any(_matches(p, domain) for p in ALLOWED)
    if any(_matches(p, domain) for p in DENIED) or (ALLOWED and not in_allowed):
        raise SignUpRejected("Sign-up with this email domain is not allowed. Please use another email address.")
    if AUTO_CONFIRM == "always" or (AUTO_CONFIRM == "allowed" and in_allowed):
        event["response"]["autoConfirmUser"] = True
        event["response"]["autoVerifyEmail"] = True
    print(json.dumps({"triggerSource": event.get("triggerSource"), "decision": "accepted"}))
    return event
