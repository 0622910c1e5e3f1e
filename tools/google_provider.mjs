// The local stack's stand-in for Google: a real OpenID provider (`oidc-provider`, pinned in
// tools/package.json) on a loopback port, with discovery, JWKS, the authorization-code flow
// with PKCE, and ID tokens carrying `sub`, `email`, `email_verified` and `name`.
//
// What differs from Google: there is no password and no consent screen. The sign-in page is
// one form (an email, an optional name, a box for "this address is not verified"); whoever is
// typed in is signed in, with `email_verified` true unless the box is ticked. A person's `sub`
// is derived from the lowercased email, so the same address is the same Google account on
// every sign-in (Google's `sub` is a number too, stable per account).
//
// Usage: node google_provider.mjs <config.json>, where the file (written by the local stack,
// xtask/local/src/google.rs) holds {"port", "client_id", "client_secret", "redirect_uris"}.
// The secret lives only in that file and in cognito-local's provider: never in the
// environment.

import crypto from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

// NODE_PATH (the tools' node_modules) is honoured by require, not by ESM imports.
const require = createRequire(path.join(process.env.NODE_PATH ?? ".", "noop.js"));
const { default: Provider } = await import(
  pathToFileURL(require.resolve("oidc-provider")).href
);

const config = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const issuer = `http://127.0.0.1:${config.port}`;

/** Google's subjects are decimal numbers: 21 digits from a hash of the address. */
function subjectOf(email) {
  const digest = crypto.createHash("sha256").update(email.toLowerCase()).digest();
  return (BigInt(`0x${digest.subarray(0, 9).toString("hex")}`) % 10n ** 21n)
    .toString()
    .padStart(21, "1");
}

/** Who signed in, by subject: what the form said, for the ID token. */
const accounts = new Map();

const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
const signingKey = {
  ...privateKey.export({ format: "jwk" }),
  kid: crypto.randomBytes(8).toString("hex"),
  use: "sig",
  alg: "RS256",
};

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: config.client_id,
      client_secret: config.client_secret,
      redirect_uris: config.redirect_uris,
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_post",
    },
  ],
  jwks: { keys: [signingKey] },
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name"],
  },
  // Google puts the profile claims in the ID token itself, not only behind userinfo.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  // No consent screen: a signed-in person grants whatever the client asked.
  async loadExistingGrant(ctx) {
    const grantId =
      ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const existing = await ctx.oidc.provider.Grant.find(grantId);
      if (existing) return existing;
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(ctx.oidc.params.scope ?? "openid");
    await grant.save();
    return grant;
  },
  async findAccount(ctx, sub) {
    const account = accounts.get(sub);
    if (!account) return undefined;
    return {
      accountId: sub,
      async claims() {
        return { sub, ...account };
      },
    };
  },
  ttl: { Session: 600, Interaction: 600, Grant: 600, AuthorizationCode: 300, IdToken: 3600, AccessToken: 3600 },
  cookies: { keys: [crypto.randomBytes(32).toString("hex")] },
});
provider.proxy = false;

const escape = (text) =>
  String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(uid, error) {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Sign in with Google (local)</title></head>
<body>
<h1>Sign in with Google (local)</h1>
<p>This is the local stack's stand-in for Google: type anyone in.</p>
${error ? `<p class="error" role="alert">${escape(error)}</p>` : ""}
<form method="post" action="/interaction/${escape(uid)}/login">
  <label>Email <input type="email" name="email" id="email" required autofocus></label>
  <label>Name <input type="text" name="name" id="name"></label>
  <label><input type="checkbox" name="email_unverified" id="email_unverified" value="1">
    This address is not verified</label>
  <button type="submit" id="submit">Sign in</button>
</form>
</body></html>`;
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => {
      body += chunk;
      if (body.length > 10_000) reject(new Error("the form is larger than 10 kB"));
    });
    req.on("end", () => resolve(new URLSearchParams(body)));
    req.on("error", reject);
  });
}

/** The sign-in page and its form; everything else is oidc-provider's. */
async function interactions(req, res) {
  const match = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/.exec(new URL(req.url, issuer).pathname);
  if (!match) return false;
  const [, uid, login] = match;
  try {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error("the sign-in page is not this browser's");
    if (!login && req.method === "GET") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(page(uid));
      return true;
    }
    if (login && req.method === "POST") {
      const form = await readForm(req);
      const email = (form.get("email") ?? "").trim();
      if (!/^[^@\s]+@[^@\s]+$/.test(email)) {
        res.writeHead(400, { "content-type": "text/html; charset=utf-8" });
        res.end(page(uid, "An email address is needed, like someone@example.com."));
        return true;
      }
      const sub = subjectOf(email);
      const name = (form.get("name") ?? "").trim();
      accounts.set(sub, {
        email,
        email_verified: form.get("email_unverified") !== "1",
        ...(name ? { name } : {}),
      });
      await provider.interactionFinished(req, res, { login: { accountId: sub } }, { mergeWithLastSubmission: false });
      return true;
    }
    res.writeHead(405, { "content-type": "text/plain" });
    res.end("The sign-in page takes GET, and its form POST.");
    return true;
  } catch (error) {
    res.writeHead(400, { "content-type": "text/plain" });
    res.end(`The sign-in could not go on: ${error.message}. Start again from the app.`);
    return true;
  }
}

const callback = provider.callback();
const server = (await import("node:http")).createServer(async (req, res) => {
  if (!(await interactions(req, res))) callback(req, res);
});
server.listen(config.port, "127.0.0.1", () => {
  console.log(`local Google listening on ${issuer}`);
});
