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

require.cache[routesPath].exports = {
  attachOAuth2Routes(app, services, codeStore) {
    attachCognitoBehaviour(app, services);
    attachOAuth2Routes(app, services, codeStore);
  },
};

require("cognito-local/lib/bin/start");
