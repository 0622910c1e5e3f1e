// The PreSignUp decision of functions/pre-signup, written as a Node.js trigger usually is,
// for the benchmarks' same-work comparison: the same environment variables, the same
// event, the same answer (auto-confirm for allowed domains, errors for the rest).
import { domainToASCII } from "node:url";

function normalize(domain) {
  const ascii = domainToASCII(domain.trim());
  if (!ascii || ascii.split(".").some((label) => label === "")) {
    throw new Error(`${JSON.stringify(domain)} is not a valid domain name`);
  }
  return ascii;
}

function patterns(name) {
  return (process.env[name] ?? "")
    .split(",")
    .filter((entry) => entry.trim() !== "")
    .map((entry) => {
      const trimmed = entry.trim();
      return trimmed.startsWith("*.")
        ? { subdomainsOf: normalize(trimmed.slice(2)) }
        : { exact: normalize(trimmed) };
    });
}

const matches = (pattern, domain) =>
  pattern.exact !== undefined ? domain === pattern.exact : domain.endsWith(`.${pattern.subdomainsOf}`);

const allowed = patterns("ALLOWED_EMAIL_DOMAINS");
const denied = patterns("DENIED_EMAIL_DOMAINS");
const autoConfirm = (process.env.AUTO_CONFIRM ?? "never").toLowerCase();

function emailDomain(email) {
  const at = email.trim().indexOf("@");
  const domain = email.trim().slice(at + 1);
  if (at < 1 || domain.includes("@")) return null;
  try {
    return normalize(domain);
  } catch {
    return null;
  }
}

export const handler = async (event) => {
  const email = event.request?.userAttributes?.email;
  if (email === undefined) {
    if (allowed.length > 0) throw new Error("An email address is required to sign up.");
    return event;
  }
  const domain = emailDomain(email);
  if (domain === null) throw new Error("Please sign up with a valid email address.");
  const inAllowed = allowed.some((p) => matches(p, domain));
  if (denied.some((p) => matches(p, domain)) || (allowed.length > 0 && !inAllowed)) {
    throw new Error("Sign-up with this email domain is not allowed. Please use another email address.");
  }
  if (autoConfirm === "always" || (autoConfirm === "allowed" && inAllowed)) {
    event.response.autoConfirmUser = true;
    event.response.autoVerifyEmail = true;
  }
  console.log(JSON.stringify({ triggerSource: event.triggerSource, decision: "accepted" }));
  return event;
};
