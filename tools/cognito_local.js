// Starts cognito-local (pinned in tools/package.json) for the local stack and the
// end-to-end tests, in the current directory (its data lives in ./.cognito), patched where it
// differs from Cognito in what an app (or the provisioner) would see. Each patch below says
// what Cognito does; tests/tests/local_stack.rs (and, for the hosted UI's /oauth2/token and
// /logout, tests/tests/hosted_ui.rs and browser.rs) has a test for each that fails without it.
// The patches replace cognito-local 5.3.0's own code at the place it goes wrong (its targets
// and services under node_modules/cognito-local/lib), keeping the rest of each as it was.
//
// It also appends every email and SMS it "sends" as one JSON line to ./.cognito/outbox.jsonl:
// cognito-local prints them in a box meant for people, wrapped to the terminal, and the demo
// and the tests need each delivery exactly as the user would get it.

const fs = require("node:fs");
const path = require("node:path");

const lib = (module) => require(`cognito-local/lib/${module}`);
const errors = lib("errors");
const { Targets } = lib("targets/targets");
const { LambdaService } = lib("services/lambda");
const { TriggersService } = lib("services/triggers/triggers");
const { ConsoleMessageSender } = lib("services/messageDelivery/consoleMessageSender");
const { selectAppropriateDeliveryMethod } = lib("services/messageDelivery/deliveryMethod");
const { attribute, attributesAppend, attributesToRecord } = lib("services/userPoolService");

// --- The outbox -------------------------------------------------------------------------

const outbox = path.join(process.cwd(), ".cognito", "outbox.jsonl");
const sendToConsole = ConsoleMessageSender.prototype.sendToConsole;

ConsoleMessageSender.prototype.sendToConsole = function (ctx, user, destination, message) {
  const delivery = {
    username: user.Username,
    destination,
    code: message.__code,
    emailSubject: message.emailSubject ?? null,
    emailMessage: message.emailMessage ?? null,
    smsMessage: message.smsMessage ?? null,
  };
  fs.appendFileSync(outbox, `${JSON.stringify(delivery)}\n`);
  return sendToConsole.call(this, ctx, user, destination, message);
};

// --- A function's error, as Cognito reports it ------------------------------------------
//
// Cognito answers a trigger whose function fails with UserLambdaValidationException,
// "<Trigger> failed with error <the function's errorMessage>." (the trigger's name, e.g.
// "PreSignUp failed with error Sign-up with this email domain is not allowed. Please use
// another email address.."). cognito-local named the function instead of the trigger, and
// never got that far: `cargo lambda watch` answers a function error with HTTP 500 and the
// error document as the body, where Lambda answers 200 with `X-Amz-Function-Error:
// Unhandled`, so cognito-local took it for a failed invocation (UnexpectedLambdaException).
// This is LambdaService.invoke with both fixed.

/** Invokes a function; a 500 whose body is a Lambda error document is a function error. */
function invokeFunction(client, params) {
  return new Promise((resolve, reject) => {
    client.invoke(params, function (error, data) {
      if (!error) {
        resolve(data);
        return;
      }
      // `this` is the SDK's response, with the raw HTTP answer.
      const http = this.httpResponse;
      const body = http?.body ? http.body.toString() : "";
      if (http?.statusCode === 500 && typeof parse(body)?.errorMessage === "string") {
        resolve({ StatusCode: 200, FunctionError: "Unhandled", Payload: body });
        return;
      }
      reject(error);
    });
  });
}

function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

LambdaService.prototype.invoke = async function (ctx, trigger, event) {
  const functionName = this.config[trigger];
  if (!functionName) {
    throw new Error(`${trigger} trigger not configured`);
  }
  let result;
  try {
    result = await invokeFunction(this.lambdaClient, {
      FunctionName: functionName,
      InvocationType: "RequestResponse",
      Payload: JSON.stringify(this.createLambdaEvent(event)),
    });
  } catch (error) {
    ctx.logger.error(error);
    throw new errors.UnexpectedLambdaExceptionError();
  }
  if (!result.FunctionError) {
    const payload = parse(result.Payload);
    if (payload === undefined) {
      throw new errors.InvalidLambdaResponseError();
    }
    return payload.response;
  }
  ctx.logger.error({ result }, result.FunctionError);
  const message = parse(result.Payload)?.errorMessage ?? result.FunctionError;
  throw new errors.UserLambdaValidationError(`${trigger} failed with error ${message}.`);
};

// --- Triggers built our way ------------------------------------------------------------
//
// TriggersService builds each trigger from cognito-local's own module in its constructor
// (`this.customMessage = CustomMessage({ lambda })`); an accessor on its prototype takes
// that assignment and keeps the trigger built here instead.

function replaceTrigger(name, make) {
  const patched = Symbol(name);
  Object.defineProperty(TriggersService.prototype, name, {
    configurable: true,
    get() {
      return this[patched];
    },
    set(_cognitoLocals) {
      this[patched] = make(this.lambda);
    },
  });
}

// PostConfirmation: Cognito reports the function's error to the caller (ConfirmSignUp and
// the others answer UserLambdaValidationException, "PostConfirmation failed with error
// <message>."; the confirmation itself stands). cognito-local logged it and answered as
// if the function had run.
replaceTrigger(
  "postConfirmation",
  (lambda) =>
    async (ctx, { clientId, clientMetadata, source, userAttributes, username, userPoolId }) => {
      await lambda.invoke(ctx, "PostConfirmation", {
        clientId,
        clientMetadata,
        triggerSource: source,
        userAttributes: attributesToRecord(userAttributes),
        username,
        userPoolId,
      });
    },
);

// CustomMessage: Cognito replaces every `{####}` (and, for AdminCreateUser, every
// `{username}`) in the message the function returns; cognito-local replaced only the first,
// so a message with the code twice (in its text and in a VERIFY_URL link) kept a literal
// `{####}`. As in cognito-local, a function that fails leaves the default message.
const CODE = "{####}";
const USERNAME = "{username}";

replaceTrigger(
  "customMessage",
  (lambda) =>
    async (ctx, { clientId, clientMetadata, code, source, userAttributes, username, userPoolId }) => {
      let response;
      try {
        response = await lambda.invoke(ctx, "CustomMessage", {
          clientId,
          clientMetadata,
          codeParameter: CODE,
          triggerSource: source,
          userAttributes: attributesToRecord(userAttributes),
          username,
          usernameParameter: USERNAME,
          userPoolId,
        });
      } catch (error) {
        ctx.logger.error(error);
        return null;
      }
      const fill = (text) => text?.replaceAll(CODE, code).replaceAll(USERNAME, username);
      return {
        emailMessage: fill(response?.emailMessage),
        emailSubject: response?.emailSubject,
        smsMessage: fill(response?.smsMessage),
      };
    },
);

// --- email_verified on confirmation -------------------------------------------------------
//
// A code proves the address it was sent to: Cognito's ConfirmSignUp marks the email (or the
// phone number) the sign-up code went to as verified, so the user's email_verified is "true"
// (in the PostConfirmation event and in the tokens too). cognito-local confirmed the user
// and left email_verified as it was. This is its ConfirmSignUp with the attribute set; the
// code's destination is chosen again the way cognito-local's SignUp chose it.
// (AdminConfirmSignUp proves nothing and, on Cognito as here, verifies nothing.)

Targets.ConfirmSignUp =
  ({ cognito, clock, triggers }) =>
  async (ctx, req) => {
    const userPool = await cognito.getUserPoolForClientId(ctx, req.ClientId);
    const user = await userPool.getUserByUsername(ctx, req.Username);
    if (!user) {
      throw new errors.NotAuthorizedError();
    }
    if (!user.ConfirmationCode) {
      throw new errors.ExpiredCodeError();
    }
    if (user.ConfirmationCode !== req.ConfirmationCode) {
      throw new errors.CodeMismatchError();
    }
    const delivered = selectAppropriateDeliveryMethod(userPool.options.AutoVerifiedAttributes ?? [], user);
    const verified = {
      email: attribute("email_verified", "true"),
      phone_number: attribute("phone_number_verified", "true"),
    }[delivered?.AttributeName];
    const updatedUser = {
      ...user,
      Attributes: verified ? attributesAppend(user.Attributes, verified) : user.Attributes,
      UserStatus: "CONFIRMED",
      ConfirmationCode: undefined,
      UserLastModifiedDate: clock.get(),
    };
    await userPool.saveUser(ctx, updatedUser);
    if (triggers.enabled("PostConfirmation")) {
      await triggers.postConfirmation(ctx, {
        clientId: req.ClientId,
        clientMetadata: req.ClientMetadata,
        source: "PostConfirmation_ConfirmSignUp",
        username: updatedUser.Username,
        userPoolId: userPool.options.Id,
        userAttributes: attributesAppend(
          updatedUser.Attributes,
          attribute("cognito:user_status", updatedUser.UserStatus),
        ),
      });
    }
    return {};
  };

// --- The email alias, wherever Cognito resolves it ----------------------------------------
//
// In a pool whose users sign in with their email, Cognito accepts the email wherever an
// operation takes a user name. cognito-local's targets resolve the user through
// getUserByUsername, which handles the alias, and then use the user's own name; all but
// AdminListGroupsForUser, which matched group members against the name as given, so the
// email found no group. This is it matching the user's own name.

Targets.AdminListGroupsForUser =
  ({ cognito }) =>
  async (ctx, req) => {
    const userPool = await cognito.getUserPool(ctx, req.UserPoolId);
    const user = await userPool.getUserByUsername(ctx, req.Username);
    if (!user) {
      throw new errors.UserNotFoundError();
    }
    const groups = await userPool.listGroups(ctx);
    return {
      Groups: groups
        .filter((group) => group.members?.includes(user.Username))
        .map(lib("targets/responses").groupToResponseObject(req.UserPoolId)),
    };
  };

// --- Deletion protection, kept ------------------------------------------------------------
//
// Cognito stores a pool's DeletionProtection (CreateUserPool and UpdateUserPool set it;
// UpdateUserPool, like every field it is not sent, resets it to INACTIVE), reports it in
// DescribeUserPool, and refuses DeleteUserPool while it is ACTIVE. cognito-local dropped
// it, so every `apply` saw it off and wrote it again. These wrap cognito-local's targets.

const PROTECTED =
  "The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.";

/** Stores `req.DeletionProtection` (default INACTIVE) in the pool's options. */
async function keepDeletionProtection(ctx, cognito, userPoolId, req) {
  const userPool = await cognito.getUserPool(ctx, userPoolId);
  const DeletionProtection = req.DeletionProtection ?? "INACTIVE";
  await userPool.updateOptions(ctx, { ...userPool.options, DeletionProtection });
  return DeletionProtection;
}

const createUserPool = Targets.CreateUserPool;
Targets.CreateUserPool = (services) => async (ctx, req) => {
  const created = await createUserPool(services)(ctx, req);
  const DeletionProtection = await keepDeletionProtection(ctx, services.cognito, created.UserPool.Id, req);
  return { ...created, UserPool: { ...created.UserPool, DeletionProtection } };
};

const updateUserPool = Targets.UpdateUserPool;
Targets.UpdateUserPool = (services) => async (ctx, req) => {
  const updated = await updateUserPool(services)(ctx, req);
  await keepDeletionProtection(ctx, services.cognito, req.UserPoolId, req);
  return updated;
};

const describeUserPool = Targets.DescribeUserPool;
Targets.DescribeUserPool = (services) => async (ctx, req) => {
  const described = await describeUserPool(services)(ctx, req);
  const userPool = await services.cognito.getUserPool(ctx, req.UserPoolId);
  const DeletionProtection = userPool.options.DeletionProtection ?? "INACTIVE";
  return { ...described, UserPool: { ...described.UserPool, DeletionProtection } };
};

const deleteUserPool = Targets.DeleteUserPool;
Targets.DeleteUserPool = (services) => async (ctx, req) => {
  const userPool = await services.cognito.getUserPool(ctx, req.UserPoolId);
  if (userPool?.options.DeletionProtection === "ACTIVE") {
    throw new errors.InvalidParameterError(PROTECTED);
  }
  return deleteUserPool(services)(ctx, req);
};

// --- The hosted UI's endpoints, as Cognito serves them ----------------------------------
//
// cognito-local's oauth2 routes (authorize, token) are attached by its server through the
// module below; its exports are replaced in the module cache before the server loads it, so
// the routes here are attached first and see each request before cognito-local's own.

const routesPath = require.resolve("cognito-local/lib/oauth2/routes");
const attachOAuth2Routes = require(routesPath).attachOAuth2Routes;

/** `Authorization: Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 2.3.1), or null. */
function basicCredentials(header) {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? "");
  if (!match) {
    return null;
  }
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) {
    return null;
  }
  const unform = (text) => decodeURIComponent(text.replaceAll("+", " "));
  try {
    return { id: unform(decoded.slice(0, colon)), secret: unform(decoded.slice(colon + 1)) };
  } catch {
    return null;
  }
}

function attachCognitoBehaviour(app, services) {
  // Client authentication at /oauth2/token: for an app client with a secret, Cognito
  // answers 400 {"error":"invalid_client"} unless the request authenticates with that secret
  // (HTTP Basic, or client_secret in the body): the trap of a browser that exchanges the
  // code for a client with a secret. cognito-local never looked at the secret. With Basic,
  // Cognito also takes the client id from the header when the body has none.
  app.post("/oauth2/token", async (req, res, next) => {
    try {
      const body = req.body ?? {};
      const basic = basicCredentials(req.headers.authorization);
      const clientId = body.client_id ?? basic?.id;
      const appClient = clientId
        ? await services.cognito.getAppClient({ logger: req.log }, clientId).catch(() => null)
        : null;
      if (appClient?.ClientSecret) {
        const sent = basic && basic.id === clientId ? basic.secret : body.client_secret;
        if (sent !== appClient.ClientSecret) {
          res.status(400).json({ error: "invalid_client" });
          return;
        }
      }
      if (!body.client_id && basic) {
        req.body = { ...body, client_id: basic.id };
      }
      next();
    } catch (error) {
      next(error);
    }
  });

  // /logout: Cognito ends the hosted UI's session and redirects to `logout_uri` when it is
  // one of the app client's sign-out URLs (LogoutURLs), byte for byte; otherwise it does not
  // redirect (its error page names redirect_mismatch). cognito-local had no /logout, so an
  // app's "Sign out" ended on a 404. (Its hosted UI keeps no session to end.)
  app.get("/logout", async (req, res) => {
    const { client_id: clientId, logout_uri: logoutUri } = req.query;
    const appClient =
      typeof clientId === "string"
        ? await services.cognito.getAppClient({ logger: req.log }, clientId).catch(() => null)
        : null;
    if (!appClient) {
      res.status(400).type("text/plain").send("invalid_request: client_id is not an app client of this pool");
      return;
    }
    if (typeof logoutUri !== "string" || !(appClient.LogoutURLs ?? []).includes(logoutUri)) {
      res.status(400).type("text/plain").send("redirect_mismatch: logout_uri is not one of the app client's sign-out URLs");
      return;
    }
    res.redirect(302, logoutUri);
  });
}

// --- Federation: identity providers, /oauth2/idpresponse, linking ----------------------
//
// cognito-local has no identity providers. These patches restore what Cognito does for an
// OIDC provider of type Google (the one the local stack runs, tools/google_provider.mjs):
// the provider targets, `identity_provider=` on /oauth2/authorize, /oauth2/idpresponse
// (code exchange, ID token verification, attribute mapping, the federated user and its
// triggers) and AdminLinkProviderForUser / AdminDisableProviderForUser. Providers are kept
// in ./.cognito/identity-providers.json.

const crypto = require("node:crypto");
const jwt = require("jsonwebtoken");
const uuid = require("uuid");

const providersFile = path.join(process.cwd(), ".cognito", "identity-providers.json");
const readProviders = () => parse(fs.existsSync(providersFile) ? fs.readFileSync(providersFile, "utf8") : "{}") ?? {};
const writeProviders = (all) => fs.writeFileSync(providersFile, JSON.stringify(all, null, 2));

// Google's ProviderDetails that Cognito fills in itself for a provider of type Google; here
// they point at the local Google (LOCAL_GOOGLE_ISSUER, given by the local stack), or at
// Google when none runs.
function googleDetails(details) {
  const issuer = process.env.LOCAL_GOOGLE_ISSUER;
  const filled = issuer
    ? {
        oidc_issuer: issuer,
        authorize_url: `${issuer}/auth`,
        token_url: `${issuer}/token`,
        attributes_url: `${issuer}/me`,
        jwks_uri: `${issuer}/jwks`,
      }
    : {
        oidc_issuer: "https://accounts.google.com",
        authorize_url: "https://accounts.google.com/o/oauth2/v2/auth",
        token_url: "https://www.googleapis.com/oauth2/v4/token",
        attributes_url: "https://people.googleapis.com/v1/people/me?personFields=",
        jwks_uri: "https://www.googleapis.com/oauth2/v3/certs",
      };
  return { ...details, ...filled, attributes_url_add_attributes: "true" };
}

function providerOf(userPoolId, name) {
  return readProviders()[userPoolId]?.[name] ?? null;
}

const described = (p) => ({
  UserPoolId: p.UserPoolId,
  ProviderName: p.ProviderName,
  ProviderType: p.ProviderType,
  ProviderDetails: p.ProviderType === "Google" ? googleDetails(p.ProviderDetails) : p.ProviderDetails,
  AttributeMapping: p.AttributeMapping,
  IdpIdentifiers: p.IdpIdentifiers ?? [],
  LastModifiedDate: p.LastModifiedDate,
  CreationDate: p.CreationDate,
});

async function existingPool(ctx, cognito, userPoolId) {
  const userPool = await cognito.getUserPool(ctx, userPoolId).catch(() => null);
  if (!userPool) throw new errors.ResourceNotFoundError(`User pool ${userPoolId} does not exist.`);
  return userPool;
}

// CreateIdentityProvider: Cognito stores the provider (its username attribute mapped from
// `sub` unless the mapping says otherwise) and refuses a second one of the same name with
// DuplicateProviderException. cognito-local had no such operation.
Targets.CreateIdentityProvider =
  ({ cognito, clock }) =>
  async (ctx, req) => {
    await existingPool(ctx, cognito, req.UserPoolId);
    const all = readProviders();
    const pool = (all[req.UserPoolId] ??= {});
    if (pool[req.ProviderName]) {
      throw new errors.CognitoError("DuplicateProviderException", `A provider with the name ${req.ProviderName} already exists.`);
    }
    const now = clock.get();
    pool[req.ProviderName] = {
      UserPoolId: req.UserPoolId,
      ProviderName: req.ProviderName,
      ProviderType: req.ProviderType,
      ProviderDetails: req.ProviderDetails ?? {},
      AttributeMapping: { username: "sub", ...(req.AttributeMapping ?? {}) },
      IdpIdentifiers: req.IdpIdentifiers ?? [],
      CreationDate: now,
      LastModifiedDate: now,
    };
    writeProviders(all);
    return { IdentityProvider: described(pool[req.ProviderName]) };
  };

const notAProvider = (name) => new errors.ResourceNotFoundError(`Identity provider ${name} does not exist.`);

Targets.DescribeIdentityProvider =
  ({ cognito }) =>
  async (ctx, req) => {
    await existingPool(ctx, cognito, req.UserPoolId);
    const provider = providerOf(req.UserPoolId, req.ProviderName);
    if (!provider) throw notAProvider(req.ProviderName);
    return { IdentityProvider: described(provider) };
  };

Targets.ListIdentityProviders =
  ({ cognito }) =>
  async (ctx, req) => {
    await existingPool(ctx, cognito, req.UserPoolId);
    const providers = Object.values(readProviders()[req.UserPoolId] ?? {});
    return {
      Providers: providers.map((p) => ({
        ProviderName: p.ProviderName,
        ProviderType: p.ProviderType,
        LastModifiedDate: p.LastModifiedDate,
        CreationDate: p.CreationDate,
      })),
    };
  };

// UpdateIdentityProvider: what is sent replaces what was stored; what is not sent stays.
Targets.UpdateIdentityProvider =
  ({ cognito, clock }) =>
  async (ctx, req) => {
    await existingPool(ctx, cognito, req.UserPoolId);
    const all = readProviders();
    const provider = all[req.UserPoolId]?.[req.ProviderName];
    if (!provider) throw notAProvider(req.ProviderName);
    if (req.ProviderDetails) provider.ProviderDetails = req.ProviderDetails;
    if (req.AttributeMapping) provider.AttributeMapping = { username: "sub", ...req.AttributeMapping };
    if (req.IdpIdentifiers) provider.IdpIdentifiers = req.IdpIdentifiers;
    provider.LastModifiedDate = clock.get();
    writeProviders(all);
    return { IdentityProvider: described(provider) };
  };

Targets.DeleteIdentityProvider =
  ({ cognito }) =>
  async (ctx, req) => {
    await existingPool(ctx, cognito, req.UserPoolId);
    const all = readProviders();
    if (!all[req.UserPoolId]?.[req.ProviderName]) throw notAProvider(req.ProviderName);
    delete all[req.UserPoolId][req.ProviderName];
    writeProviders(all);
    return {};
  };

/** A user's `identities` attribute, parsed ([] when it has none). */
function identitiesOf(user) {
  const value = (user.Attributes ?? []).find((a) => a.Name === "identities")?.Value;
  const parsed = value ? parse(value) : null;
  return Array.isArray(parsed) ? parsed : [];
}

function withIdentities(user, identities) {
  const others = (user.Attributes ?? []).filter((a) => a.Name !== "identities");
  return identities.length === 0 ? others : [...others, attribute("identities", JSON.stringify(identities))];
}

/** The user that signs in for this provider identity: the one it is linked to, or its own. */
async function userForIdentity(ctx, userPool, providerName, subject) {
  const users = await userPool.listUsers(ctx);
  const linked = users.find(
    (u) =>
      u.Username !== `${providerName}_${subject}` &&
      identitiesOf(u).some((i) => i.providerName === providerName && i.userId === subject),
  );
  return linked ?? (await userPool.getUserByUsername(ctx, `${providerName}_${subject}`)) ?? null;
}

// AdminLinkProviderForUser: Cognito adds the source identity to the destination user's
// `identities`, after which signing in with that identity signs in as the destination
// user. It refuses a destination that does not exist (UserNotFoundException), a source
// already linked (AliasExistsException), and a source that is itself a pool user
// (InvalidParameterException: merging is not supported).
Targets.AdminLinkProviderForUser =
  ({ cognito, clock }) =>
  async (ctx, req) => {
    const userPool = await existingPool(ctx, cognito, req.UserPoolId);
    const { DestinationUser: destination, SourceUser: source } = req;
    if (destination?.ProviderName !== "Cognito") {
      throw new errors.InvalidParameterError("DestinationUser's ProviderName must be Cognito.");
    }
    const provider = providerOf(req.UserPoolId, source?.ProviderName);
    if (!provider) throw new errors.InvalidParameterError(`SourceUser's ProviderName ${source?.ProviderName} is not a provider of this pool.`);
    if (source.ProviderAttributeName !== "Cognito_Subject") {
      throw new errors.InvalidParameterError("SourceUser's ProviderAttributeName must be Cognito_Subject.");
    }
    const user = await userPool.getUserByUsername(ctx, destination.ProviderAttributeValue);
    if (!user) throw new errors.UserNotFoundError();
    if (await userPool.getUserByUsername(ctx, `${source.ProviderName}_${source.ProviderAttributeValue}`)) {
      throw new errors.InvalidParameterError("Merging is not currently supported, provide a SourceUser that has not been linked to any user in the pool.");
    }
    const holder = await userForIdentity(ctx, userPool, source.ProviderName, source.ProviderAttributeValue);
    if (holder) {
      throw new errors.CognitoError("AliasExistsException", "The source user is already linked to a user of this pool.");
    }
    const identity = {
      userId: source.ProviderAttributeValue,
      providerName: source.ProviderName,
      providerType: provider.ProviderType,
      issuer: null,
      primary: false,
      dateCreated: clock.get().getTime(),
    };
    await userPool.saveUser(ctx, {
      ...user,
      Attributes: withIdentities(user, [...identitiesOf(user), identity]),
      UserLastModifiedDate: clock.get(),
    });
    return {};
  };

// AdminDisableProviderForUser: Cognito removes the identity from the user it is linked to,
// and disables a user made by signing in with it.
Targets.AdminDisableProviderForUser =
  ({ cognito, clock }) =>
  async (ctx, req) => {
    const userPool = await existingPool(ctx, cognito, req.UserPoolId);
    const { ProviderName: providerName, ProviderAttributeValue: subject } = req.User ?? {};
    if (!providerOf(req.UserPoolId, providerName)) {
      throw new errors.InvalidParameterError(`User's ProviderName ${providerName} is not a provider of this pool.`);
    }
    for (const user of await userPool.listUsers(ctx)) {
      const identities = identitiesOf(user);
      const kept = identities.filter((i) => !(i.providerName === providerName && i.userId === subject));
      if (user.Username === `${providerName}_${subject}`) {
        await userPool.saveUser(ctx, { ...user, Enabled: false, UserLastModifiedDate: clock.get() });
      } else if (kept.length !== identities.length) {
        await userPool.saveUser(ctx, { ...user, Attributes: withIdentities(user, kept), UserLastModifiedDate: clock.get() });
      }
    }
    return {};
  };

// The hosted UI's side. Pending federated sign-ins, by the `state` sent to the provider
// (Cognito keeps the same in an encrypted state parameter); each lives ten minutes and is
// used once.
const pendingFederations = new Map();
const FEDERATION_TTL_MS = 10 * 60 * 1000;

const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const base64url = (bytes) => Buffer.from(bytes).toString("base64url");

/** Redirects to the app's callback with an OAuth error, as Cognito does. */
function callbackError(res, redirectUri, state, error, description) {
  const url = new URL(redirectUri);
  url.searchParams.set("error_description", description);
  if (state) url.searchParams.set("state", state);
  url.searchParams.set("error", error);
  res.redirect(302, url.toString());
}

/** Fetches JSON (the provider's discovery and JWKS, its token endpoint). */
async function fetchJson(url, init) {
  const answer = await fetch(url, init);
  const text = await answer.text();
  const body = parse(text);
  if (!answer.ok || body === undefined) {
    throw new Error(`${url} answered HTTP ${answer.status}`);
  }
  return body;
}

/**
 * Verifies the provider's ID token as Cognito does: RS256 signature by a key of the
 * provider's JWKS, `iss` the provider's issuer, `aud` its client id, `exp` in the future and
 * `nonce` the one this sign-in sent. Throws with the reason otherwise.
 */
async function verifiedIdToken(idToken, details, nonce) {
  const decoded = jwt.decode(idToken, { complete: true });
  if (!decoded?.header?.kid) throw new Error("the ID token is not a signed JWT with a kid");
  const { keys } = await fetchJson(details.jwks_uri);
  const jwk = (keys ?? []).find((k) => k.kid === decoded.header.kid);
  if (!jwk) throw new Error("the ID token's key is not in the provider's JWKS");
  const key = crypto.createPublicKey({ key: jwk, format: "jwk" });
  const claims = jwt.verify(idToken, key, {
    algorithms: ["RS256"],
    issuer: details.oidc_issuer,
    audience: details.client_id,
  });
  if (claims.nonce !== nonce) throw new Error("the ID token's nonce is not this sign-in's");
  if (typeof claims.sub !== "string" || claims.sub === "") throw new Error("the ID token has no sub");
  return claims;
}

/** The pool attributes the provider's AttributeMapping makes from its claims. */
function mappedAttributes(mapping, claims) {
  const attributes = [];
  for (const [poolAttribute, claim] of Object.entries(mapping ?? {})) {
    if (poolAttribute === "username" || claims[claim] === undefined || claims[claim] === null) continue;
    attributes.push(attribute(poolAttribute, String(claims[claim])));
  }
  return attributes;
}

function attachFederation(app, services, codeStore) {
  const { cognito, triggers, clock } = services;

  // /oauth2/authorize with identity_provider: Cognito checks the client and its redirect
  // URI as for its own sign-in page, then sends the browser to the provider (a provider the
  // client does not list answers `error=invalid_request&error_description=...` on the app's
  // callback, as Cognito's "Login option is not available" redirect does), with its own
  // `state`, `nonce` and PKCE pair, and the provider's scopes.
  app.get("/oauth2/authorize", async (req, res, next) => {
    const { identity_provider: providerName } = req.query;
    if (typeof providerName !== "string" || providerName === "COGNITO") {
      // The hosted UI's sign-in page: Cognito shows a "Continue with <provider>" button for
      // each provider the client lists, leading to this same request with
      // identity_provider=<provider>. cognito-local's page has only its own form.
      const appClient =
        typeof req.query.client_id === "string"
          ? await cognito.getAppClient({ logger: req.log }, req.query.client_id).catch(() => null)
          : null;
      const buttons = (appClient?.SupportedIdentityProviders ?? [])
        .filter((name) => name !== "COGNITO" && providerOf(appClient.UserPoolId, name))
        .map((name) => {
          const to = new URLSearchParams({ ...req.query, identity_provider: name });
          return `<p><a class="federated" id="continue-with-${escapeHtml(name.toLowerCase())}" href="/oauth2/authorize?${escapeHtml(to.toString())}">Continue with ${escapeHtml(name)}</a></p>`;
        });
      if (buttons.length > 0) {
        const send = res.send.bind(res);
        res.send = (body) =>
          send(typeof body === "string" ? body.replace("</body>", `${buttons.join("\n")}\n</body>`) : body);
      }
      next();
      return;
    }
    try {
      const ctx = { logger: req.log };
      const q = req.query;
      const bad = (message) => res.status(400).json({ error: "invalid_request", error_description: message });
      const appClient = q.client_id ? await cognito.getAppClient(ctx, q.client_id).catch(() => null) : null;
      if (!appClient) return bad("Invalid client_id");
      if (!(appClient.CallbackURLs ?? []).includes(q.redirect_uri)) {
        return bad("redirect_uri not registered for this client");
      }
      if (q.response_type !== "code") return callbackError(res, q.redirect_uri, q.state, "unsupported_response_type", "response_type must be code");
      const provider = providerOf(appClient.UserPoolId, providerName);
      if (!provider || !(appClient.SupportedIdentityProviders ?? []).includes(providerName)) {
        return callbackError(res, q.redirect_uri, q.state, "invalid_request", "Login option is not available. Please try another one");
      }
      const details = provider.ProviderType === "Google" ? googleDetails(provider.ProviderDetails) : provider.ProviderDetails;
      const state = base64url(crypto.randomBytes(24));
      const nonce = base64url(crypto.randomBytes(24));
      const verifier = base64url(crypto.randomBytes(32));
      pendingFederations.set(state, {
        expires: Date.now() + FEDERATION_TTL_MS,
        providerName,
        userPoolId: appClient.UserPoolId,
        clientId: appClient.ClientId,
        app: {
          redirectUri: q.redirect_uri,
          state: q.state,
          codeChallenge: q.code_challenge,
          codeChallengeMethod: q.code_challenge_method,
          scope: q.scope ?? "",
        },
        nonce,
        verifier,
      });
      const to = new URL(details.authorize_url);
      to.searchParams.set("client_id", details.client_id);
      to.searchParams.set("response_type", "code");
      to.searchParams.set("scope", details.authorize_scopes ?? "openid email profile");
      to.searchParams.set("redirect_uri", `${req.protocol}://${req.get("host")}/oauth2/idpresponse`);
      to.searchParams.set("state", state);
      to.searchParams.set("nonce", nonce);
      to.searchParams.set("code_challenge", base64url(crypto.createHash("sha256").update(verifier).digest()));
      to.searchParams.set("code_challenge_method", "S256");
      res.redirect(302, to.toString());
    } catch (error) {
      next(error);
    }
  });

  // /oauth2/idpresponse: the provider's redirect back. Cognito answers a `state` it did not
  // issue (or issued already used, or expired) with 400 and no redirect (its error page);
  // a provider error, a failed code exchange or an ID token that does not verify with
  // `error=invalid_request` on the app's callback... (see each branch); otherwise it finds or
  // makes the user and sends the browser to the app with a code of its own.
  app.get("/oauth2/idpresponse", async (req, res, next) => {
    const ctx = { logger: req.log };
    const pending = typeof req.query.state === "string" ? pendingFederations.get(req.query.state) : undefined;
    if (!pending || pending.expires < Date.now()) {
      res.status(400).type("text/plain").send("invalid_state: the sign-in's state is unknown or expired; start again from the app");
      return;
    }
    pendingFederations.delete(req.query.state);
    const fail = (description) => callbackError(res, pending.app.redirectUri, pending.app.state, "invalid_request", description);
    try {
      if (req.query.error) {
        return fail(`${req.query.error}${req.query.error_description ? `: ${req.query.error_description}` : ""}`);
      }
      const provider = providerOf(pending.userPoolId, pending.providerName);
      if (!provider) return fail("Login option is not available. Please try another one");
      const details = provider.ProviderType === "Google" ? googleDetails(provider.ProviderDetails) : provider.ProviderDetails;
      let tokens;
      try {
        tokens = await fetchJson(details.token_url, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({
            grant_type: "authorization_code",
            code: String(req.query.code ?? ""),
            redirect_uri: `${req.protocol}://${req.get("host")}/oauth2/idpresponse`,
            client_id: details.client_id,
            client_secret: details.client_secret ?? "",
            code_verifier: pending.verifier,
          }),
        });
      } catch (error) {
        ctx.logger.error({ error: error.message }, "the provider's token endpoint refused the code");
        return fail("Error in retrieving token from the identity provider");
      }
      let claims;
      try {
        claims = await verifiedIdToken(tokens.id_token, details, pending.nonce);
      } catch (error) {
        ctx.logger.error({ reason: error.message }, "the provider's ID token did not verify");
        return fail("Invalid identity token");
      }
      const userPool = await cognito.getUserPool(ctx, pending.userPoolId);
      const attributes = mappedAttributes(provider.AttributeMapping, claims);
      let user = await userForIdentity(ctx, userPool, pending.providerName, claims.sub);
      if (user && user.Enabled === false) return fail("User is disabled.");
      if (user) {
        // A returning identity: Cognito refreshes the mapped attributes of its own user.
        if (user.Username === `${pending.providerName}_${claims.sub}`) {
          user = { ...user, Attributes: attributesAppend(user.Attributes, ...attributes), UserLastModifiedDate: clock.get() };
          await userPool.saveUser(ctx, user);
        }
      } else {
        const made = await federatedSignUp(ctx, userPool, pending, provider, claims, attributes);
        if (made.error) return fail(made.error);
        user = made.user;
      }
      const code = codeStore.create({
        clientId: pending.clientId,
        userPoolId: pending.userPoolId,
        username: user.Username,
        redirectUri: pending.app.redirectUri,
        codeChallenge: pending.app.codeChallenge,
        scope: pending.app.scope,
        state: pending.app.state,
      });
      const to = new URL(pending.app.redirectUri);
      to.searchParams.set("code", code);
      if (pending.app.state) to.searchParams.set("state", pending.app.state);
      res.redirect(302, to.toString());
    } catch (error) {
      next(error);
    }
  });

  // A first sign-in: Cognito invokes PreSignUp (PreSignUp_ExternalProvider) with the mapped
  // attributes and the user name `<provider>_<sub>`; a function error ends the sign-in with
  // its message ("PreSignUp failed with error <message>. ") on the callback. If the identity
  // was linked meanwhile (the function linked it), Cognito cannot sign in the user it just
  // linked and answers "Already found an entry for username <provider>_<sub>". Otherwise
  // it saves the user (status EXTERNAL_PROVIDER, `identities` set, confirmed) and invokes
  // PostConfirmation (PostConfirmation_ConfirmSignUp).
  async function federatedSignUp(ctx, userPool, pending, provider, claims, attributes) {
    const username = `${pending.providerName}_${claims.sub}`;
    const identity = {
      userId: claims.sub,
      providerName: pending.providerName,
      providerType: provider.ProviderType,
      issuer: null,
      primary: true,
      dateCreated: clock.get().getTime(),
    };
    const userAttributes = [attribute("sub", uuid.v4()), ...attributes];
    if (triggers.enabled("PreSignUp")) {
      try {
        await triggers.preSignUp(ctx, {
          clientId: pending.clientId,
          clientMetadata: undefined,
          source: "PreSignUp_ExternalProvider",
          userAttributes,
          username,
          userPoolId: pending.userPoolId,
          validationData: undefined,
        });
      } catch (error) {
        if (error instanceof errors.UserLambdaValidationError) return { error: `${error.message} ` };
        throw error;
      }
      const linked = await userForIdentity(ctx, userPool, pending.providerName, claims.sub);
      if (linked) return { error: `Already found an entry for username ${username}` };
    }
    const now = clock.get();
    const user = {
      Attributes: withIdentities({ Attributes: userAttributes }, [identity]),
      Enabled: true,
      RefreshTokens: [],
      UserCreateDate: now,
      UserLastModifiedDate: now,
      Username: username,
      UserStatus: "EXTERNAL_PROVIDER",
    };
    await userPool.saveUser(ctx, user);
    if (triggers.enabled("PostConfirmation")) {
      try {
        await triggers.postConfirmation(ctx, {
          clientId: pending.clientId,
          clientMetadata: undefined,
          source: "PostConfirmation_ConfirmSignUp",
          username,
          userPoolId: pending.userPoolId,
          userAttributes: attributesAppend(user.Attributes, attribute("cognito:user_status", user.UserStatus)),
        });
      } catch (error) {
        if (error instanceof errors.UserLambdaValidationError) return { error: `${error.message} ` };
        throw error;
      }
    }
    return { user };
  }
}

// --- The ID token's claims, as Cognito writes them ---------------------------------------
//
// Cognito's ID token carries every attribute the app client may read (its ReadAttributes;
// all of them when it lists none) that the user has: the standard ones (`name`,
// `given_name`, `locale`, ...; `email_verified` and `phone_number_verified` as booleans,
// `updated_at` as a number, `address` as {"formatted": ...}), the custom ones, and, for a
// user with provider identities (its own or linked), `identities`: the attribute's array
// with every value a string ([{"userId", "providerName", "providerType", "issuer": null,
// "primary": "true", "dateCreated": "1700000000000"}]). cognito-local's token had only sub,
// email, email_verified and the custom attributes, and made email_verified true for the
// stored string "false". This is its JwtTokenGenerator.generate with those claims. A
// pre-token-generation function's claimsToSuppress and claimsToAddOrOverride apply to them
// as before; `identities` is among the claims Cognito lets no function change.

const { JwtTokenGenerator } = lib("services/tokenGenerator");
const signingKey = require("cognito-local/lib/keys/cognitoLocal.private.json");

const STANDARD_ATTRIBUTES = [
  "address",
  "birthdate",
  "email",
  "email_verified",
  "family_name",
  "gender",
  "given_name",
  "locale",
  "middle_name",
  "name",
  "nickname",
  "phone_number",
  "phone_number_verified",
  "picture",
  "preferred_username",
  "profile",
  "updated_at",
  "website",
  "zoneinfo",
];

// What no pre-token-generation function may add, override or suppress (Cognito's list).
const RESERVED_CLAIMS = [
  "acr",
  "amr",
  "aud",
  "at_hash",
  "auth_time",
  "azp",
  "cognito:username",
  "exp",
  "iat",
  "identities",
  "iss",
  "jti",
  "nbf",
  "nonce",
  "origin_jti",
  "sub",
  "token_use",
];

/** A stored attribute's value as the ID token's claim. */
function claimValue(name, value) {
  switch (name) {
    case "email_verified":
    case "phone_number_verified":
      return value === "true";
    case "updated_at":
      return Number.isFinite(Number(value)) ? Number(value) : value;
    case "address":
      return { formatted: value };
    default:
      return value;
  }
}

/** The user's attributes the client may read, as ID token claims. */
function attributeClaims(user, userPoolClient) {
  const readable = userPoolClient.ReadAttributes?.length ? new Set(userPoolClient.ReadAttributes) : null;
  const claims = {};
  for (const { Name: name, Value: value } of user.Attributes ?? []) {
    const known = STANDARD_ATTRIBUTES.includes(name) || name.startsWith("custom:");
    if (!known || value === undefined || (readable && !readable.has(name))) continue;
    claims[name] = claimValue(name, value);
  }
  const identities = identitiesOf(user);
  if (identities.length > 0) {
    claims.identities = identities.map((i) => ({
      userId: String(i.userId),
      providerName: String(i.providerName),
      providerType: String(i.providerType),
      issuer: i.issuer ?? null,
      primary: String(i.primary === true || i.primary === "true"),
      dateCreated: String(i.dateCreated),
    }));
  }
  return claims;
}

function applyTokenOverrides(token, overrides) {
  const allowed = ([claim]) => !RESERVED_CLAIMS.includes(claim);
  const suppressed = (overrides?.claimsToSuppress ?? []).filter((claim) => !RESERVED_CLAIMS.includes(claim));
  const added = Object.entries(overrides?.claimsToAddOrOverride ?? {}).filter(allowed);
  return Object.fromEntries([...Object.entries(token), ...added].filter(([claim]) => !suppressed.includes(claim)));
}

function expiresIn(duration, unit, fallback) {
  if (duration === undefined) return fallback;
  if (!["seconds", "minutes", "hours", "days"].includes(unit)) throw new Error(`Invalid unit: ${unit}`);
  return `${duration}${unit}`;
}

JwtTokenGenerator.prototype.generate = async function (ctx, user, userGroups, userPoolClient, clientMetadata, source) {
  const eventId = uuid.v4();
  const authTime = Math.floor(this.clock.get().getTime() / 1000);
  const sub = (user.Attributes ?? []).find((a) => a.Name === "sub")?.Value;
  const accessToken = {
    auth_time: authTime,
    client_id: userPoolClient.ClientId,
    event_id: eventId,
    iat: authTime,
    jti: uuid.v4(),
    scope: "aws.cognito.signin.user.admin",
    sub,
    token_use: "access",
    username: user.Username,
  };
  let idToken = {
    ...attributeClaims(user, userPoolClient),
    "cognito:username": user.Username,
    auth_time: authTime,
    event_id: eventId,
    iat: authTime,
    jti: uuid.v4(),
    sub,
    token_use: "id",
  };
  if (userGroups.length) {
    accessToken["cognito:groups"] = userGroups;
    idToken["cognito:groups"] = userGroups;
  }
  if (this.triggers.enabled("PreTokenGeneration")) {
    const result = await this.triggers.preTokenGeneration(ctx, {
      clientId: userPoolClient.ClientId,
      clientMetadata,
      source,
      userAttributes: user.Attributes,
      username: user.Username,
      groupConfiguration: { groupsToOverride: undefined, iamRolesToOverride: undefined, preferredRole: undefined },
      userPoolId: userPoolClient.UserPoolId,
    });
    idToken = applyTokenOverrides(idToken, result?.claimsOverrideDetails);
  }
  const issuer = `${this.tokenConfig.IssuerDomain}/${userPoolClient.UserPoolId}`;
  const units = userPoolClient.TokenValidityUnits ?? {};
  const sign = (payload, options) => jwt.sign(payload, signingKey.pem, { algorithm: "RS256", issuer, ...options });
  return {
    AccessToken: sign(accessToken, {
      expiresIn: expiresIn(userPoolClient.AccessTokenValidity, units.AccessToken ?? "hours", "24h"),
      keyid: "CognitoLocal",
    }),
    IdToken: sign(idToken, {
      expiresIn: expiresIn(userPoolClient.IdTokenValidity, units.IdToken ?? "hours", "24h"),
      audience: userPoolClient.ClientId,
      keyid: "CognitoLocal",
    }),
    // As cognito-local's: readable, for debugging (Cognito's is opaque).
    RefreshToken: sign(
      {
        "cognito:username": user.Username,
        email: (user.Attributes ?? []).find((a) => a.Name === "email")?.Value,
        iat: authTime,
        jti: uuid.v4(),
      },
      { expiresIn: expiresIn(userPoolClient.RefreshTokenValidity, units.RefreshToken ?? "days", "7d") },
    ),
  };
};

require.cache[routesPath].exports = {
  attachOAuth2Routes(app, services, codeStore) {
    attachCognitoBehaviour(app, services);
    attachFederation(app, services, codeStore);
    attachOAuth2Routes(app, services, codeStore);
  },
};

require("cognito-local/lib/bin/start");
