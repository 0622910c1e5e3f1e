"""Starts moto's server for the provisioner's tests, patched where moto differs from AWS in
ways that would hide bugs. Each patch is small and says which AWS behaviour it restores.

Usage: moto_server.py <port>   (binds 127.0.0.1 only)
"""

import sys

from moto.cognitoidp import models
from moto.cognitoidp.exceptions import InvalidParameterException

Backend = models.CognitoIdpBackend


# AWS keeps the settings fixed at creation (UsernameAttributes, AliasAttributes, Schema)
# across UpdateUserPool; moto rebuilds its config from the request and forgets them, which
# would make a re-apply see a false "fixed setting changed".
_update_user_pool = Backend.update_user_pool


def update_user_pool(self, user_pool_id, extended_config):
    pool = self.describe_user_pool(user_pool_id)
    fixed = {
        key: pool.extended_config[key]
        for key in ("UsernameAttributes", "AliasAttributes", "Schema", "UsernameConfiguration")
        if key in pool.extended_config
    }
    _update_user_pool(self, user_pool_id, extended_config)
    pool.extended_config.update(fixed)


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


# AWS refuses to delete a pool whose DeletionProtection is ACTIVE; moto deletes it.
_delete_user_pool = Backend.delete_user_pool


def delete_user_pool(self, user_pool_id):
    pool = self.describe_user_pool(user_pool_id)
    if pool.extended_config.get("DeletionProtection") == "ACTIVE":
        raise InvalidParameterException(
            "The user pool cannot be deleted because deletion protection is activated. "
            "Deletion protection must be inactivated first."
        )
    _delete_user_pool(self, user_pool_id)


Backend.update_user_pool = update_user_pool
Backend.update_user_pool_client = update_user_pool_client
Backend.delete_user_pool = delete_user_pool

if __name__ == "__main__":
    from moto.server import main

    main(["--host", "127.0.0.1", "--port", sys.argv[1]])
