"""Starts moto's server for the provisioner's tests, patched where moto differs from AWS in
ways that would hide bugs. Each patch is small, says which AWS behaviour it restores, and
quotes AWS's error text where AWS refuses something moto accepts; a test of the
provisioner fails without the fix that keeps each rule.

Usage: moto_server.py <port>   (binds 127.0.0.1 only)
"""

import json
import sys

from moto.cognitoidp import models, responses
from moto.cognitoidp.exceptions import InvalidParameterException
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
    return bool(token or pool.sms_mfa_config or pool.extended_config.get("SmsConfiguration"))


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


Pool.to_json = to_json
Backend.set_user_pool_mfa_config = set_user_pool_mfa_config
Backend.create_user_pool = create_user_pool
Backend.update_user_pool = update_user_pool
Backend.update_user_pool_client = update_user_pool_client
Backend.create_user_pool_domain = create_user_pool_domain
Backend.delete_user_pool = delete_user_pool
Response.tag_resource = tag_resource
Response.update_resource_server = update_resource_server

if __name__ == "__main__":
    from moto.server import main

    main(["--host", "127.0.0.1", "--port", sys.argv[1]])
