// A real OpenID provider for the sign-in tests (issue 28): `oidc-provider`, the certified
// OpenID Connect implementation for Node.js (package.json pins it), on loopback, with one
// confidential client (siproc-server) and a few static accounts. Its development interactions
// are the login and consent pages a browser fills in: any login whose account is below, any
// password, then "Continue". Keys: a fresh RSA key per start (RS256 ID tokens), published at
// the provider's JWKS endpoint, which siproc-server finds through discovery.
//
// Used by oidc.test.mjs (imported), and runnable on its own for a server test or a person:
//
//   node tests/oidc-provider.mjs --redirect-uri http://127.0.0.1:8080/api/v1/session/oidc/callback
//
// prints `oidc-provider listening on ISSUER` and serves until it is stopped.
import { generateKeyPairSync } from "node:crypto";
import { createServer } from "node:http";
import { argv } from "node:process";
import { fileURLToPath } from "node:url";

import Provider from "oidc-provider";

/** The client siproc-server is at this provider. */
export const CLIENT = { id: "siproc", secret: "siproc-test-client-secret" };

/**
 * The provider's people, by the login typed on its page: the claims it vouches for. Each maps
 * (through `preferred_username`, siproc's default claim) to a demo user of `serve --demo`, or
 * to nobody.
 */
export const ACCOUNTS = {
  "ana.ministerio": { preferred_username: "demo-officer-tap", email: "demo-officer-tap@sreci.example", email_verified: true, name: "Ana (ministerio)" },
  "luis.ministerio": { preferred_username: "demo-officer-hou", email: "demo-officer-hou@sreci.example", email_verified: true, name: "Luis (ministerio)" },
  "sin.cuenta": { preferred_username: "nadie-en-siproc", email: "nadie@sreci.example", email_verified: true, name: "Sin cuenta en SIPROC" },
};

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the provider on 127.0.0.1 (`port`, or any free one), its issuer named with `host`
 * (`localhost` by default: another site than siproc-server's 127.0.0.1, as the ministry's
 * provider is, so that the browser's SameSite rules are those of a real sign-in). The client
 * may come back only to `redirectUri`. Resolves to { issuer, close() }.
 */
export async function startProvider({ redirectUri, host = "localhost", port = 0 }) {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: "jwk" }), kid: "siproc-test", alg: "RS256", use: "sig" };
  const listening = createServer();
  await new Promise((resolve) => listening.listen(port, "127.0.0.1", resolve));
  const issuer = `http://${host}:${listening.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT.id,
      client_secret: CLIENT.secret,
      redirect_uris: [redirectUri],
      // Signing out at the provider (RP-initiated logout) brings the browser back to siproc's
      // web application: the public origin followed by `/`.
      post_logout_redirect_uris: [new URL("/", redirectUri).href],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    }],
    jwks: { keys: [jwk] },
    claims: { openid: ["sub"], profile: ["name", "preferred_username"], email: ["email", "email_verified"] },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    cookies: { keys: ["siproc-test-provider-cookie-key"] },
    async findAccount(_ctx, id) {
      const claims = ACCOUNTS[id];
      if (!claims) return undefined;
      return { accountId: id, async claims() { return { sub: id, ...claims }; } };
    },
  });
  // Plain HTTP on loopback: the provider is told it is not behind a proxy.
  provider.proxy = false;
  listening.on("request", provider.callback());
  return {
    issuer,
    close: () => new Promise((resolve) => { listening.closeAllConnections?.(); listening.close(() => resolve()); }),
  };
}

if (argv[1] === fileURLToPath(import.meta.url)) {
  const at = argv.indexOf("--redirect-uri");
  const redirectUri = at > 0 ? argv[at + 1] : null;
  if (!redirectUri) {
    console.error("usage: node tests/oidc-provider.mjs --redirect-uri URI");
    process.exit(2);
  }
  const { issuer } = await startProvider({ redirectUri });
  console.log(`oidc-provider listening on ${issuer}`);
}
