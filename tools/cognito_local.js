// Starts cognito-local (pinned in tools/package.json) for the local stack and the
// end-to-end tests, in the current directory (its data lives in ./.cognito).
//
// cognito-local "delivers" emails and SMS by printing them in a box meant for people, with
// lines wrapped to the terminal. The demo and the tests need each delivery exactly as the
// user would get it, so this also appends every delivery as one JSON line to
// ./.cognito/outbox.jsonl. Nothing else is changed.

const fs = require("node:fs");
const path = require("node:path");
const {
  ConsoleMessageSender,
} = require("cognito-local/lib/services/messageDelivery/consoleMessageSender");

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

require("cognito-local/lib/bin/start");
