"""Starts moto's server for the provisioner's tests, patched where moto differs from AWS in
ways that would hide bugs. Each patch is small, says which AWS behaviour it restores, and
quotes AWS's error text where AWS refuses something moto accepts; a test of the
provisioner fails without the fix that keeps each rule. Before any of it, every Cognito
request is checked against AWS's API model (botocore's copy), as AWS checks it.

Usage: moto_server.py <port>   (binds 127.0.0.1 only)
"""

import base64
import gzip
import json
import sys
import time
import uuid
from importlib.resources import files

import regex

from moto.cognitoidp import models, responses
from moto.cognitoidp.exceptions import InvalidParameterException
from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult, EmptyResult

Backend = models.CognitoIdpBackend
Pool = models.CognitoIdpUserPool
Response = responses.CognitoIdpResponse


# --- The legacy validity field -----------------------------------------------------------
# AWS refuses AdminCreateUserConfig.UnusedAccountValidityDays in a request once the pool has
# PasswordPolicy.TemporaryPasswordValidityDays (every pool has; the default is 7):
# "Please use TemporaryPasswordValidityDays in PasswordPolicy instead of
# UnusedAccountValidityDays" (Terraform #21561, pulumi-aws-native #1256). Yet DescribeUserPool
# reports the legacy field beside the new one, so a request built from a description carries
# it. moto accepts it, and reports it only when the pool was created without an
# AdminCreateUserConfig.
LEGACY_VALIDITY = "Please use TemporaryPasswordValidityDays in PasswordPolicy instead of UnusedAccountValidityDays"


def refuse_legacy_validity(config):
    if "UnusedAccountValidityDays" in (config.get("AdminCreateUserConfig") or {}):
        raise InvalidParameterException(LEGACY_VALIDITY)


_to_json = Pool.to_json


def to_json(self, extended=False):
    described = _to_json(self, extended)
    if extended:
        policy = (described.get("Policies") or {}).get("PasswordPolicy") or {}
        admin = dict(described.get("AdminCreateUserConfig") or {})
        admin["UnusedAccountValidityDays"] = policy.get("TemporaryPasswordValidityDays", 7)
        described["AdminCreateUserConfig"] = admin
        # A pool has a prefix domain (Domain) and a custom domain (CustomDomain) apart; moto
        # reports whichever it finds first as Domain.
        described.pop("Domain", None)
        for domain in self.backend.user_pool_domains.values():
            if domain.user_pool_id == self.id:
                described["CustomDomain" if domain.custom_domain_config else "Domain"] = domain.domain
    return described


# --- MFA needs a factor ------------------------------------------------------------------
# CreateUserPool supports only SMS MFA: ON or OPTIONAL without an SmsConfiguration is refused
# with "SMS configuration and Auto verification for phone_number are required when MFA is
# required/optional"; UpdateUserPool refuses ON or OPTIONAL unless a factor is already
# enabled (TOTP is enabled with SetUserPoolMfaConfig). SetUserPoolMfaConfig refuses a factor
# beside OFF: "Invalid MFA configuration given, can't turn off MFA and configure an MFA
# together". DescribeUserPool reports the mode SetUserPoolMfaConfig set; moto keeps a stale
# one from the last UpdateUserPool.
MFA_NEEDS_A_FACTOR = (
    "SMS configuration and Auto verification for phone_number are required when MFA is required/optional"
)
MFA_OFF_WITH_A_FACTOR = "Invalid MFA configuration given, can't turn off MFA and configure an MFA together"
# SetUserPoolMfaConfig with ON or OPTIONAL and no factor enabled (AWS's current text; an
# older one read "can't disable all MFAs with a required or optional configuration").
MFA_ON_WITHOUT_A_FACTOR = (
    "Invalid MFA Configuration given. SMS MFA, Email MFA, or Software Token MFA must be enabled."
)


def mfa_requested(config):
    return config.get("MfaConfiguration") in ("ON", "OPTIONAL")


def has_factor(pool):
    token = (pool.token_mfa_config or {}).get("Enabled")
    email = getattr(pool, "email_mfa_config", None) is not None
    return bool(token or email or pool.sms_mfa_config or pool.extended_config.get("SmsConfiguration"))


# --- Feature plans, senders and passkeys ---------------------------------------------------
# The Lite plan lacks passwordless sign-in (first factors beyond PASSWORD, and passkeys) and
# email MFA: AWS answers FeatureUnavailableInTierException, "The following features need to
# be disabled for the LITE pricing tier configured: Passwordless Sign-In". Email codes go out
# only through SES (EmailSendingAccount DEVELOPER), SMS codes only with an SmsConfiguration.
# PASSWORD is always a first factor (the console: "The Password option is always
# available"). Passkeys are bound to a domain the pool serves: its prefix domain
# (<prefix>.auth.<region>.amazoncognito.com) or its custom domain. moto checks none of it and
# has no email factor or passkeys in SetUserPoolMfaConfig and GetUserPoolMfaConfig at all.
class FeatureUnavailableInTierException(JsonRESTError):
    def __init__(self, tier, features):
        super().__init__(
            "FeatureUnavailableInTierException",
            f"The following features need to be disabled for the {tier} pricing tier configured: {features}",
        )


def refuse_on_lite(pool_config, features):
    tier = pool_config.get("UserPoolTier") or "ESSENTIALS"
    if tier == "LITE" and features:
        raise FeatureUnavailableInTierException(tier, ", ".join(features))


def sends_email_through_ses(config):
    return (config.get("EmailConfiguration") or {}).get("EmailSendingAccount") == "DEVELOPER"


def check_sign_in_policy(config):
    factors = ((config.get("Policies") or {}).get("SignInPolicy") or {}).get("AllowedFirstAuthFactors")
    if factors is None:
        return
    if "PASSWORD" not in factors:
        raise InvalidParameterException("AllowedFirstAuthFactors must include PASSWORD.")
    refuse_on_lite(config, ["Passwordless Sign-In"] if set(factors) - {"PASSWORD"} else [])
    if "EMAIL_OTP" in factors and not sends_email_through_ses(config):
        raise InvalidParameterException(
            "EMAIL_OTP requires the user pool to send email with Amazon SES (EmailSendingAccount DEVELOPER)."
        )
    if "SMS_OTP" in factors and not (config.get("SmsConfiguration") or {}).get("SnsCallerArn"):
        raise InvalidParameterException("SMS_OTP requires an SMS configuration (SmsConfiguration).")


def served_domains(backend, user_pool_id, region):
    for domain in backend.user_pool_domains.values():
        if domain.user_pool_id == user_pool_id:
            if domain.custom_domain_config:
                yield domain.domain
            else:
                yield f"{domain.domain}.auth.{region}.amazoncognito.com"


def set_user_pool_mfa_config_response(self):
    user_pool_id = self._get_param("UserPoolId")
    mode = self._get_param("MfaConfiguration")
    sms = self._get_param("SmsMfaConfiguration", None)
    token = self._get_param("SoftwareTokenMfaConfiguration", None)
    email = self._get_param("EmailMfaConfiguration", None)
    passkeys = self._get_param("WebAuthnConfiguration", None)
    pool = self.backend.describe_user_pool(user_pool_id)
    if mode == "OFF" and (sms is not None or token is not None or email is not None):
        raise InvalidParameterException(MFA_OFF_WITH_A_FACTOR)
    if mode in ("ON", "OPTIONAL") and not ((token or {}).get("Enabled") or sms is not None or email is not None):
        raise InvalidParameterException(MFA_ON_WITHOUT_A_FACTOR)
    refuse_on_lite(
        pool.extended_config,
        (["Email MFA"] if email is not None else []) + (["Passwordless Sign-In"] if passkeys is not None else []),
    )
    if email is not None and not sends_email_through_ses(pool.extended_config):
        raise InvalidParameterException(
            "Email MFA requires the user pool to send email with Amazon SES (EmailSendingAccount DEVELOPER)."
        )
    relying_party = (passkeys or {}).get("RelyingPartyId")
    if relying_party and relying_party not in served_domains(self.backend, user_pool_id, self.region):
        raise InvalidParameterException(
            f"RelyingPartyId {relying_party} is not a domain of the user pool: use its prefix domain or its custom domain."
        )
    if sms is not None and "SmsConfiguration" not in sms:
        raise InvalidParameterException("[SmsConfiguration] is a required member of [SmsMfaConfiguration].")
    self.backend.set_user_pool_mfa_config(user_pool_id, sms, token, mode)
    pool.email_mfa_config = email
    if passkeys is not None:
        pool.web_authn_config = passkeys
    return ActionResult(self.backend.get_user_pool_mfa_config(user_pool_id))


_get_user_pool_mfa_config = Backend.get_user_pool_mfa_config


def get_user_pool_mfa_config(self, user_pool_id):
    answer = _get_user_pool_mfa_config(self, user_pool_id)
    pool = self.describe_user_pool(user_pool_id)
    if getattr(pool, "email_mfa_config", None) is not None:
        answer["EmailMfaConfiguration"] = pool.email_mfa_config
    if getattr(pool, "web_authn_config", None) is not None:
        answer["WebAuthnConfiguration"] = pool.web_authn_config
    return {key: value for key, value in answer.items() if value is not None}


_set_user_pool_mfa_config = Backend.set_user_pool_mfa_config


def set_user_pool_mfa_config(self, user_pool_id, sms_config, token_config, mfa_config):
    if mfa_config == "OFF" and (sms_config is not None or token_config is not None):
        raise InvalidParameterException(MFA_OFF_WITH_A_FACTOR)
    if mfa_config in ("ON", "OPTIONAL") and not ((token_config or {}).get("Enabled") or sms_config):
        raise InvalidParameterException(MFA_ON_WITHOUT_A_FACTOR)
    answer = _set_user_pool_mfa_config(self, user_pool_id, sms_config, token_config, mfa_config)
    self.describe_user_pool(user_pool_id).extended_config["MfaConfiguration"] = mfa_config
    return answer


# --- Create and update -------------------------------------------------------------------
# New pools are on the Essentials feature plan unless the request names one (AWS's default
# since feature plans exist); moto reports no plan at all.
_create_user_pool = Backend.create_user_pool


def create_user_pool(self, name, extended_config):
    refuse_legacy_validity(extended_config)
    if mfa_requested(extended_config) and not extended_config.get("SmsConfiguration"):
        raise InvalidParameterException(MFA_NEEDS_A_FACTOR)
    extended_config.setdefault("UserPoolTier", "ESSENTIALS")
    check_sign_in_policy(extended_config)
    return _create_user_pool(self, name, extended_config)


# AWS keeps the settings fixed at creation (UsernameAttributes, AliasAttributes, Schema,
# UsernameConfiguration) across UpdateUserPool; moto rebuilds its config from the request
# and forgets them, which would make a re-apply see a false "fixed setting changed".
_update_user_pool = Backend.update_user_pool


def update_user_pool(self, user_pool_id, extended_config):
    refuse_legacy_validity(extended_config)
    pool = self.describe_user_pool(user_pool_id)
    if mfa_requested(extended_config) and not has_factor(pool):
        raise InvalidParameterException(MFA_NEEDS_A_FACTOR)
    check_sign_in_policy({"UserPoolTier": pool.extended_config.get("UserPoolTier"), **extended_config})
    fixed = {
        key: pool.extended_config[key]
        for key in ("UsernameAttributes", "AliasAttributes", "Schema", "UsernameConfiguration")
        if key in pool.extended_config
    }
    _update_user_pool(self, user_pool_id, extended_config)
    pool.extended_config.update(fixed)
    if "MfaConfiguration" in extended_config:
        pool.mfa_config = extended_config["MfaConfiguration"]


# AWS resets every client setting that UpdateUserPoolClient does not send; moto merges the
# update into the old settings, which would hide an update that forgets a field.
def update_user_pool_client(self, user_pool_id, client_id, extended_config):
    pool = self.describe_user_pool(user_pool_id)
    client = pool.clients.get(client_id)
    if not client:
        raise models.ResourceNotFoundError(client_id)
    defaults = {
        "AllowedOAuthFlowsUserPoolClient": False,
        "AuthSessionValidity": 3,
        "EnablePropagateAdditionalUserContextData": False,
        "EnableTokenRevocation": True,
        "RefreshTokenValidity": 30,
    }
    client.extended_config = {**defaults, **extended_config}
    return client


# --- Domains -----------------------------------------------------------------------------
# A prefix belongs to one pool in a region ("Domain already associated with another user
# pool."; moto silently moves it), a pool has one prefix domain ("User pool already has a
# domain configured."), and a pool with a domain cannot be deleted ("User pool cannot be
# deleted. It has a domain configured that should be deleted first.").
_create_user_pool_domain = Backend.create_user_pool_domain


def create_user_pool_domain(self, user_pool_id, domain, custom_domain_config=None):
    owner = self.user_pool_domains.get(domain)
    if owner is not None and owner.user_pool_id != user_pool_id:
        raise InvalidParameterException("Domain already associated with another user pool.")
    if not custom_domain_config and any(
        d.user_pool_id == user_pool_id and not d.custom_domain_config for d in self.user_pool_domains.values()
    ):
        raise InvalidParameterException("User pool already has a domain configured.")
    return _create_user_pool_domain(self, user_pool_id, domain, custom_domain_config)


# AWS refuses to delete a pool whose DeletionProtection is ACTIVE, or that has a domain;
# moto deletes it.
_delete_user_pool = Backend.delete_user_pool


def delete_user_pool(self, user_pool_id):
    pool = self.describe_user_pool(user_pool_id)
    if pool.extended_config.get("DeletionProtection") == "ACTIVE":
        raise InvalidParameterException(
            "The user pool cannot be deleted because deletion protection is activated. "
            "Deletion protection must be inactivated first."
        )
    if pool.domain is not None:
        raise InvalidParameterException(
            "User pool cannot be deleted. It has a domain configured that should be deleted first."
        )
    _delete_user_pool(self, user_pool_id)


# --- Managed login -----------------------------------------------------------------------
# A domain serves a managed login version (1: the classic hosted UI, 2: managed login), set by
# CreateUserPoolDomain and UpdateUserPoolDomain (which leaves what it is not sent) and reported
# by their answers and DescribeUserPoolDomain. A custom domain's certificate must be in
# us-east-1: "The specified SSL certificate doesn't exist, isn't in us-east-1 region, isn't
# valid, or doesn't include a valid certificate chain." A client has at most one branding
# style (ManagedLoginBrandingExistsException), which CreateManagedLoginBranding makes from
# Cognito's own values or from settings, never both, and DescribeManagedLoginBrandingByClient
# finds (ResourceNotFoundException when the client has none). moto has none of it.
CERTIFICATE_REFUSED = (
    "The specified SSL certificate doesn't exist, isn't in us-east-1 region, isn't valid, or doesn't include a "
    "valid certificate chain."
)


class ManagedLoginBrandingExistsException(JsonRESTError):
    def __init__(self):
        super().__init__("ManagedLoginBrandingExistsException", "A managed login branding style already exists for this app client.")


def check_certificate(custom_domain_config):
    arn = (custom_domain_config or {}).get("CertificateArn", "")
    parts = arn.split(":")
    if custom_domain_config and (len(parts) < 6 or parts[2] != "acm" or parts[3] != "us-east-1"):
        raise InvalidParameterException(CERTIFICATE_REFUSED)


_domain_to_json = models.CognitoIdpUserPoolDomain.to_json


def domain_to_json(self, extended=True):
    answer = _domain_to_json(self, extended)
    answer["ManagedLoginVersion"] = getattr(self, "managed_login_version", 1)
    if extended and self.custom_domain_config:
        answer["CustomDomainConfig"] = self.custom_domain_config
    return answer


def create_user_pool_domain_response(self):
    config = self._get_param("CustomDomainConfig")
    check_certificate(config)
    domain = self.backend.create_user_pool_domain(self._get_param("UserPoolId"), self._get_param("Domain"), config)
    domain.managed_login_version = self._get_param("ManagedLoginVersion") or 1
    return ActionResult(domain.to_json(extended=False))


def update_user_pool_domain_response(self):
    name = self._get_param("Domain")
    domain = self.backend.describe_user_pool_domain(name)
    if domain is None or domain.user_pool_id != self._get_param("UserPoolId"):
        raise models.ResourceNotFoundError(name)
    config = self._get_param("CustomDomainConfig")
    if config is not None:
        check_certificate(config)
        domain.custom_domain_config = config
    version = self._get_param("ManagedLoginVersion")
    if version is not None:
        domain.managed_login_version = version
    return ActionResult(domain.to_json(extended=False))


def brandings(backend):
    return backend.__dict__.setdefault("managed_login_brandings", {})


def branding_of(backend, user_pool_id, branding_id):
    branding = brandings(backend).get(branding_id)
    if branding is None or branding["UserPoolId"] != user_pool_id:
        raise models.ResourceNotFoundError(f"Managed login branding {branding_id} does not exist.")
    return branding


def check_branding_values(params):
    if params.get("UseCognitoProvidedValues") and params.get("Settings") is not None:
        raise InvalidParameterException("UseCognitoProvidedValues cannot be combined with Settings.")


def create_managed_login_branding(self):
    user_pool_id = self._get_param("UserPoolId")
    client_id = self._get_param("ClientId")
    pool = self.backend.describe_user_pool(user_pool_id)
    if client_id not in pool.clients:
        raise models.ResourceNotFoundError(f"App client {client_id} does not exist.")
    if any(b["UserPoolId"] == user_pool_id and b["ClientId"] == client_id for b in brandings(self.backend).values()):
        raise ManagedLoginBrandingExistsException()
    check_branding_values(self.parameters)
    now = time.time()
    branding = {
        "ManagedLoginBrandingId": str(uuid.uuid4()),
        "UserPoolId": user_pool_id,
        "ClientId": client_id,
        "UseCognitoProvidedValues": bool(self._get_param("UseCognitoProvidedValues")),
        "Settings": self._get_param("Settings"),
        "Assets": self._get_param("Assets") or [],
        "CreationDate": now,
        "LastModifiedDate": now,
    }
    brandings(self.backend)[branding["ManagedLoginBrandingId"]] = branding
    return ActionResult({"ManagedLoginBranding": shown_branding(branding)})


def shown_branding(branding):
    return {key: value for key, value in branding.items() if key != "ClientId" and value is not None}


def describe_managed_login_branding_by_client(self):
    user_pool_id = self._get_param("UserPoolId")
    client_id = self._get_param("ClientId")
    for branding in brandings(self.backend).values():
        if branding["UserPoolId"] == user_pool_id and branding["ClientId"] == client_id:
            return ActionResult({"ManagedLoginBranding": shown_branding(branding)})
    raise models.ResourceNotFoundError(f"App client {client_id} has no managed login branding.")


def describe_managed_login_branding(self):
    branding = branding_of(self.backend, self._get_param("UserPoolId"), self._get_param("ManagedLoginBrandingId"))
    return ActionResult({"ManagedLoginBranding": shown_branding(branding)})


def update_managed_login_branding(self):
    branding = branding_of(self.backend, self._get_param("UserPoolId"), self._get_param("ManagedLoginBrandingId"))
    check_branding_values(self.parameters)
    for key in ("UseCognitoProvidedValues", "Settings", "Assets"):
        if key in self.parameters:
            branding[key] = self.parameters[key]
    branding["LastModifiedDate"] = time.time()
    return ActionResult({"ManagedLoginBranding": shown_branding(branding)})


def delete_managed_login_branding(self):
    branding = branding_of(self.backend, self._get_param("UserPoolId"), self._get_param("ManagedLoginBrandingId"))
    del brandings(self.backend)[branding["ManagedLoginBrandingId"]]
    return EmptyResult()


# --- Log delivery ------------------------------------------------------------------------
# SetLogDeliveryConfiguration replaces every delivery of the pool: one per source, each with
# one destination, userNotification at ERROR and userAuthEvents at INFO, and userAuthEvents on
# the Plus plan only (FeatureUnavailableInTierException); GetLogDeliveryConfiguration reports
# them. moto has neither call.
LOG_LEVELS = {"userNotification": "ERROR", "userAuthEvents": "INFO"}
DESTINATIONS = ("CloudWatchLogsConfiguration", "S3Configuration", "FirehoseConfiguration")


def set_log_delivery_configuration(self):
    user_pool_id = self._get_param("UserPoolId")
    pool = self.backend.describe_user_pool(user_pool_id)
    configurations = self._get_param("LogConfigurations") or []
    sources = [c.get("EventSource") for c in configurations]
    if len(set(sources)) != len(sources):
        raise InvalidParameterException("Each event source can have only one log configuration.")
    for configuration in configurations:
        source = configuration.get("EventSource")
        if configuration.get("LogLevel") != LOG_LEVELS.get(source):
            raise InvalidParameterException(f"Log level {configuration.get('LogLevel')} is not supported for {source}.")
        if sum(1 for key in DESTINATIONS if configuration.get(key)) != 1:
            raise InvalidParameterException("A log configuration needs exactly one destination.")
        if source == "userAuthEvents" and (pool.extended_config.get("UserPoolTier") or "ESSENTIALS") != "PLUS":
            raise FeatureUnavailableInTierException(
                pool.extended_config.get("UserPoolTier") or "ESSENTIALS", "User Auth Events Export"
            )
    pool.log_delivery = {"UserPoolId": user_pool_id, "LogConfigurations": configurations}
    return ActionResult({"LogDeliveryConfiguration": pool.log_delivery})


def get_log_delivery_configuration(self):
    user_pool_id = self._get_param("UserPoolId")
    pool = self.backend.describe_user_pool(user_pool_id)
    delivery = getattr(pool, "log_delivery", None) or {"UserPoolId": user_pool_id, "LogConfigurations": []}
    return ActionResult({"LogDeliveryConfiguration": delivery})


# --- Threat protection's tuning ----------------------------------------------------------
# SetRiskConfiguration needs threat protection on (AUDIT or ENFORCED): AWS answers
# UserPoolAddOnNotEnabledException otherwise; account-takeover notices need an SES identity
# (NotifyConfiguration.SourceArn). DescribeRiskConfiguration reports the pool's tuning (with no
# ClientId, the whole pool's). moto has neither call.
class UserPoolAddOnNotEnabledException(JsonRESTError):
    def __init__(self):
        super().__init__("UserPoolAddOnNotEnabledException", "Advanced security features are not enabled for this user pool.")


def set_risk_configuration(self):
    user_pool_id = self._get_param("UserPoolId")
    pool = self.backend.describe_user_pool(user_pool_id)
    mode = (pool.extended_config.get("UserPoolAddOns") or {}).get("AdvancedSecurityMode", "OFF")
    if mode == "OFF":
        raise UserPoolAddOnNotEnabledException()
    takeover = self._get_param("AccountTakeoverRiskConfiguration") or {}
    notifies = any((action or {}).get("Notify") for action in (takeover.get("Actions") or {}).values())
    if notifies and not (takeover.get("NotifyConfiguration") or {}).get("SourceArn"):
        raise InvalidParameterException("NotifyConfiguration with a SourceArn is required when Notify is true.")
    configuration = {"UserPoolId": user_pool_id}
    for key in ("CompromisedCredentialsRiskConfiguration", "AccountTakeoverRiskConfiguration", "RiskExceptionConfiguration"):
        if self._get_param(key) is not None:
            configuration[key] = self._get_param(key)
    configuration["LastModifiedDate"] = time.time()
    pool.risk_configuration = configuration
    return ActionResult({"RiskConfiguration": configuration})


def describe_risk_configuration(self):
    user_pool_id = self._get_param("UserPoolId")
    pool = self.backend.describe_user_pool(user_pool_id)
    return ActionResult({"RiskConfiguration": getattr(pool, "risk_configuration", None) or {"UserPoolId": user_pool_id}})


# --- Tags --------------------------------------------------------------------------------
# moto has no TagResource for user pools; AWS adds the tags to the pool's UserPoolTags, which
# DescribeUserPool reports.
def tag_resource(self):
    params = json.loads(self.body)
    arn, tags = params["ResourceArn"], params.get("Tags") or {}
    pool = next((p for p in self.backend.user_pools.values() if p.arn == arn), None)
    if pool is None:
        raise models.ResourceNotFoundError(arn)
    pool.extended_config["UserPoolTags"] = {**(pool.extended_config.get("UserPoolTags") or {}), **tags}
    return ActionResult(EmptyResult())


# --- Resource servers ----------------------------------------------------------------------
# moto has no UpdateResourceServer (it answers 500); AWS replaces the name and every scope.
def update_resource_server(self):
    params = json.loads(self.body)
    server = self.backend.describe_resource_server(params["UserPoolId"], params["Identifier"])
    server.name = params["Name"]
    server.scopes = params.get("Scopes") or []
    return ActionResult({"ResourceServer": server.to_json()})

# --- Lambda: LoggingConfig (issue 22's deploy test) ---------------------------------------
# Lambda keeps a function's LoggingConfig: CreateFunction and UpdateFunctionConfiguration take
# it, GetFunction and GetFunctionConfiguration report it, by default LogFormat Text to the log
# group /aws/lambda/<name>, and with JSON the levels INFO unless set. moto ignores the member
# and reports none, so a deploy that never set JSON logs would look the same as one that did.
# (The deploy sends all four members; what AWS keeps of a partial update is not modelled.)
from moto.awslambda import models as lambda_models

LambdaFunction = lambda_models.LambdaFunction


def logging_config(function, given, current=None):
    config = dict(current or {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{function.function_name}"})
    config.update(given or {})
    if config.get("LogFormat") == "JSON":
        config.setdefault("ApplicationLogLevel", "INFO")
        config.setdefault("SystemLogLevel", "INFO")
    return config


_lambda_init = LambdaFunction.__init__


def lambda_init(self, account_id, spec, region, version=1):
    _lambda_init(self, account_id, spec, region, version)
    self.logging_config = logging_config(self, spec.get("LoggingConfig"))


_lambda_get_configuration = LambdaFunction.get_configuration


def lambda_get_configuration(self, on_create=False):
    config = _lambda_get_configuration(self, on_create)
    config["LoggingConfig"] = getattr(self, "logging_config", None) or logging_config(self, None)
    return config


_lambda_update_configuration = LambdaFunction.update_configuration


def lambda_update_configuration(self, config_updates):
    if "LoggingConfig" in config_updates:
        self.logging_config = logging_config(self, config_updates["LoggingConfig"], getattr(self, "logging_config", None))
    return _lambda_update_configuration(self, config_updates)


LambdaFunction.__init__ = lambda_init
LambdaFunction.get_configuration = lambda_get_configuration
LambdaFunction.update_configuration = lambda_update_configuration
# --- end of Lambda: LoggingConfig --------------------------------------------------------

# --- CloudWatch: metric-math alarms --------------------------------------------------------
# AWS refuses a PutMetricAlarm whose Metrics list sits beside the one-metric members ("If you
# use the Metrics parameter, you cannot include the MetricName, Dimensions, Period, Namespace,
# Statistic, or ExtendedStatistic parameters of PutMetricAlarm in the same operation") and
# one in which not exactly one query returns data ("ValidationError: Exactly one element of
# the metrics list should return data."). moto stores either.
from moto.cloudwatch import responses as cloudwatch_responses
from moto.cloudwatch.exceptions import ValidationError as CloudWatchValidationError

CloudWatchResponse = cloudwatch_responses.CloudWatchResponse
_put_metric_alarm = CloudWatchResponse.put_metric_alarm
ONE_METRIC_MEMBERS = ("MetricName", "Dimensions", "Period", "Namespace", "Statistic", "ExtendedStatistic")


def put_metric_alarm(self):
    metrics = self._get_param("Metrics", [])
    if metrics:
        beside = [m for m in ONE_METRIC_MEMBERS if self._get_param(m) not in (None, [])]
        if beside:
            raise CloudWatchValidationError(
                f"If you use the Metrics parameter, you cannot include the {', '.join(beside)} parameters"
            )
        if sum(1 for m in metrics if str(m.get("ReturnData", True)).lower() == "true") != 1:
            raise CloudWatchValidationError("Exactly one element of the metrics list should return data.")
    return _put_metric_alarm(self)


CloudWatchResponse.put_metric_alarm = put_metric_alarm
# --- end of CloudWatch: metric-math alarms -------------------------------------------------

# --- Every request within AWS's model ----------------------------------------------------
# AWS checks each request against its API model before anything else: a required member
# left out, a string too short or too long or off its pattern, a value outside its enum, a
# number outside its range, a list or map with too many entries. It answers HTTP 400,
# InvalidParameterException, "1 validation error detected: Value 'a!' at 'clientName' failed
# to satisfy constraint: Member must satisfy regular expression pattern: [\w\s+=,.@-]+"
# (members named lowerCamel, list entries as 'schema.1.member.name'). moto checks almost
# none of it, so a request AWS refuses would pass here. This checks every Cognito request
# against the model botocore ships (the one the SDKs are built from).
#
# The model's patterns are Java regular expressions matched against the whole value: the
# `regex` package reads their \p{L}-style classes (Python's `re` has none), and `java` below
# spells out \w, \s and \d as the ASCII classes they are in Java (in Python they take in
# every script's letters and spaces; regex's ASCII flag would narrow \p{L} too).
MODEL = json.loads(gzip.decompress(files("botocore").joinpath("data/cognito-idp/2016-04-18/service-2.json.gz").read_bytes()))
TARGET_PREFIX = MODEL["metadata"]["targetPrefix"] + "."
PATTERNS = {}


JAVA_CLASSES = {"w": "a-zA-Z0-9_", "s": " \\t\\n\\x0b\\f\\r", "d": "0-9"}


def java(text):
    """A Java pattern as the same pattern for `regex`."""
    text = text.replace("[\\S]", "\\S").replace("[\\W]", "\\W").replace("[\\D]", "\\D")
    out, in_class, i = [], False, 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            e = text[i + 1]
            if e in JAVA_CLASSES:
                out.append(JAVA_CLASSES[e] if in_class else f"[{JAVA_CLASSES[e]}]")
            elif e.lower() in JAVA_CLASSES and e.isupper():
                if in_class:
                    raise ValueError(f"a negated class inside a class: {text}")
                out.append(f"[^{JAVA_CLASSES[e.lower()]}]")
            else:
                out.append(c + e)
            i += 2
            continue
        if c == "[" and not in_class:
            in_class = True
            out.append(c)
            if text[i + 1 : i + 2] == "^":
                out.append("^")
                i += 1
            if text[i + 1 : i + 2] == "]":
                out.append("\\]")
                i += 1
        elif c == "]" and in_class:
            in_class = False
            out.append(c)
        else:
            out.append(c)
        i += 1
    return "".join(out)


def pattern(text):
    if text not in PATTERNS:
        PATTERNS[text] = regex.compile(java(text), regex.V0)
    return PATTERNS[text]


# AWS takes a custom domain (auth.example.com) in CreateUserPoolDomain, UpdateUserPoolDomain,
# DescribeUserPoolDomain and DeleteUserPoolDomain, although the model's DomainType pattern
# (one DNS label, at most 63 characters) has no dot. This is the one place the launcher
# accepts what the model forbids: a dotted name, each label matching DomainType, at most 253
# characters in all.
CUSTOM_DOMAIN_OPERATIONS = {
    "CreateUserPoolDomain",
    "UpdateUserPoolDomain",
    "DescribeUserPoolDomain",
    "DeleteUserPoolDomain",
}


def custom_domain(operation, path, value):
    if operation not in CUSTOM_DOMAIN_OPERATIONS or path != "domain" or not isinstance(value, str):
        return False
    label = pattern(MODEL["shapes"]["DomainType"]["pattern"])
    labels = value.split(".")
    return "." in value and len(value) <= 253 and all(label.fullmatch(part) for part in labels)


def shown(value, sensitive):
    """A value as AWS's message prints it (Java's toString); a sensitive one masked: AWS
    echoes passwords and secrets in full, which would put them in the server's log."""
    if sensitive:
        return "'***'"
    if value is None:
        return "null"

    def java(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, list):
            return "[" + ", ".join(java(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{" + ", ".join(f"{k}={java(x)}" for k, x in v.items()) + "}"
        return str(v)

    return "'" + java(value) + "'"


def size(shape, value):
    """What a min/max bound counts: characters, bytes of a blob, entries of a list or map."""
    if shape["type"] == "blob":
        try:
            return len(base64.b64decode(value, validate=True))
        except (ValueError, TypeError):
            return len(value)
    return len(value)


def scalar_violations(shape, value):
    """The constraints a string, number or blob value breaks, in AWS's words."""
    kind = shape["type"]
    found = []
    if kind in ("string", "blob", "list", "map"):
        n = size(shape, value)
        if "max" in shape and n > shape["max"]:
            found.append(f"Member must have length less than or equal to {shape['max']}")
        if "min" in shape and n < shape["min"]:
            found.append(f"Member must have length greater than or equal to {shape['min']}")
    if kind == "string":
        if "pattern" in shape and not pattern(shape["pattern"]).fullmatch(value):
            found.append(f"Member must satisfy regular expression pattern: {shape['pattern']}")
        if "enum" in shape and value not in shape["enum"]:
            found.append(f"Member must satisfy enum value set: [{', '.join(shape['enum'])}]")
    if kind in ("integer", "long"):
        if "max" in shape and value > shape["max"]:
            found.append(f"Member must have value less than or equal to {shape['max']}")
        if "min" in shape and value < shape["min"]:
            found.append(f"Member must have value greater than or equal to {shape['min']}")
    return found


JSON_TYPES = {
    "string": (str,),
    "blob": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "long": (int,),
    "timestamp": (int, float, str),
    "list": (list,),
    "map": (dict,),
    "structure": (dict,),
}


def violations(operation, shape_name, value, path, sensitive=False):
    """Every constraint `value` (of model shape `shape_name`, at `path`) breaks, as
    "Value … at '…' failed to satisfy constraint: …" lines, recursing through structures,
    lists and maps."""
    shape = MODEL["shapes"][shape_name]
    sensitive = sensitive or bool(shape.get("sensitive"))
    kind = shape["type"]
    if shape.get("document"):
        return []
    wanted = JSON_TYPES[kind]
    if not isinstance(value, wanted) or (kind in ("integer", "long") and isinstance(value, bool)):
        # The SDKs never send this; AWS answers a SerializationException.
        raise SerializationError(f"Unexpected value type at '{path}': expected {kind}")

    def line(constraint):
        return f"Value {shown(value, sensitive)} at '{path}' failed to satisfy constraint: {constraint}"

    if kind == "structure":
        found = []
        for member in shape.get("required", []):
            if value.get(member) is None:
                found.append(f"Value null at '{join(path, member)}' failed to satisfy constraint: Member must not be null")
        for member, given in value.items():
            spec = shape["members"].get(member)
            if spec is None or given is None:
                # AWS ignores a member its model does not know.
                continue
            found += violations(operation, spec["shape"], given, join(path, member), sensitive)
        return found
    if kind == "list":
        found = [line(c) for c in scalar_violations(shape, value)]
        member = shape["member"]["shape"]
        if MODEL["shapes"][member]["type"] in ("structure", "list", "map"):
            for i, entry in enumerate(value, 1):
                found += violations(operation, member, entry, f"{path}.{i}.member", sensitive)
        else:
            broken = sorted({c for entry in value for c in scalar_violations(MODEL["shapes"][member], entry)})
            if broken:
                found.append(line(f"Member must satisfy constraint: [{', '.join(broken)}]"))
        return found
    if kind == "map":
        found = [line(c) for c in scalar_violations(shape, value)]
        key_shape = MODEL["shapes"][shape["key"]["shape"]]
        keys = sorted({c for key in value for c in scalar_violations(key_shape, key)})
        if keys:
            found.append(line(f"Map keys must satisfy constraint: [{', '.join(keys)}]"))
        member = shape["value"]["shape"]
        if MODEL["shapes"][member]["type"] in ("structure", "list", "map"):
            for key, entry in value.items():
                found += violations(operation, member, entry, f"{path}.{key}.member", sensitive)
        else:
            broken = sorted({c for entry in value.values() for c in scalar_violations(MODEL["shapes"][member], entry)})
            if broken:
                found.append(line(f"Map value must satisfy constraint: [{', '.join(broken)}]"))
        return found
    if custom_domain(operation, path, value):
        return []
    return [line(c) for c in scalar_violations(shape, value)]


def join(path, member):
    name = member[:1].lower() + member[1:]
    return f"{path}.{name}" if path else name


class SerializationError(Exception):
    pass


def model_violation(operation, body):
    """AWS's message for a request outside the model, or None for a request within it."""
    spec = MODEL["operations"].get(operation)
    if spec is None or "input" not in spec:
        return None
    try:
        params = json.loads(body or "{}")
        found = violations(operation, spec["input"]["shape"], params, "")
    except (ValueError, SerializationError) as error:
        return "SerializationException", str(error)
    if not found:
        return None
    count = len(found)
    noun = "validation error" if count == 1 else "validation errors"
    return "InvalidParameterException", f"{count} {noun} detected: " + "; ".join(found)


_call_action = Response.call_action


def call_action(self):
    target = self.headers.get("X-Amz-Target") or ""
    if target.startswith(TARGET_PREFIX):
        refused = model_violation(target[len(TARGET_PREFIX):], self.body)
        if refused is not None:
            error_type, message = refused
            # Beside the answer, in the server's log: which request was outside the model.
            print(f"model check refused {target[len(TARGET_PREFIX):]}: {message}", file=sys.stderr, flush=True)
            headers = {
                "status": 400,
                "Content-Type": "application/x-amz-json-1.1",
                "x-amzn-ErrorType": error_type,
            }
            return 400, headers, json.dumps({"__type": error_type, "message": message})
    return _call_action(self)


Pool.to_json = to_json
Backend.set_user_pool_mfa_config = set_user_pool_mfa_config
Backend.get_user_pool_mfa_config = get_user_pool_mfa_config
Response.set_user_pool_mfa_config = set_user_pool_mfa_config_response
Backend.create_user_pool = create_user_pool
Backend.update_user_pool = update_user_pool
Backend.update_user_pool_client = update_user_pool_client
Backend.create_user_pool_domain = create_user_pool_domain
Backend.delete_user_pool = delete_user_pool
Response.tag_resource = tag_resource
Response.set_risk_configuration = set_risk_configuration
Response.describe_risk_configuration = describe_risk_configuration
Response.set_log_delivery_configuration = set_log_delivery_configuration
Response.get_log_delivery_configuration = get_log_delivery_configuration
models.CognitoIdpUserPoolDomain.to_json = domain_to_json
Response.create_user_pool_domain = create_user_pool_domain_response
Response.update_user_pool_domain = update_user_pool_domain_response
Response.create_managed_login_branding = create_managed_login_branding
Response.describe_managed_login_branding_by_client = describe_managed_login_branding_by_client
Response.describe_managed_login_branding = describe_managed_login_branding
Response.update_managed_login_branding = update_managed_login_branding
Response.delete_managed_login_branding = delete_managed_login_branding
Response.update_resource_server = update_resource_server
Response.call_action = call_action

if __name__ == "__main__":
    from moto.server import main

    main(["--host", "127.0.0.1", "--port", sys.argv[1]])
