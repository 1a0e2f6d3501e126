// Print each feed file named on the command line as podcast-partytime parses it:
// one JSON object {path: parsed feed} on stdout. Used by tests/test_consistency.py.
"use strict";
process.env.LOG = process.env.LOG || "silent"; // the parser logs through pino otherwise
const fs = require("fs");
const { parseFeed } = require("podcast-partytime");

const out = {};
for (const path of process.argv.slice(2)) {
  const feed = parseFeed(fs.readFileSync(path, "utf8"), { allowMissingGuid: false });
  if (!feed) {
    process.stderr.write(`read-feed: ${path}: not a feed podcast-partytime can read\n`);
    process.exit(1);
  }
  out[path] = feed;
}
process.stdout.write(JSON.stringify(out));
