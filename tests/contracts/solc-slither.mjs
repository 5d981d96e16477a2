#!/usr/bin/env node
// A `solc` for crytic-compile (and so slither) made of the project's pinned solc-js: answers
// `--version` and `--standard-json` (input on stdin, output on stdout). Import paths that
// solc-js cannot find in the input are resolved against the project root (absolute paths
// crytic-compile produces, and relative ones) and then node_modules ("@openzeppelin/...").
import { readFileSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const nodeModules = path.join(root, "node_modules");
const require = createRequire(path.join(root, "package.json"));
const solc = require("solc");

const args = process.argv.slice(2);
if (args.includes("--version")) {
  console.log(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}`);
  process.exit(0);
}
if (!args.includes("--standard-json")) {
  console.error("usage: solc-slither.mjs --version | --standard-json < input.json");
  process.exit(2);
}

function inside(file, dir) {
  return file === dir || file.startsWith(dir + path.sep);
}

function findImports(importPath) {
  const candidates = path.isAbsolute(importPath)
    ? [importPath]
    : [path.resolve(root, importPath), path.resolve(nodeModules, importPath)];
  for (const file of candidates) {
    if (!inside(file, root)) continue;
    try {
      return { contents: readFileSync(file, "utf8") };
    } catch {
      // try the next place
    }
  }
  return { error: `import ${importPath} not found in ${root} or its node_modules` };
}

const input = JSON.parse(readFileSync(0, "utf8"));
// crytic-compile names sources by path and may leave out their content
for (const [name, source] of Object.entries(input.sources ?? {})) {
  if (source.content === undefined) {
    const found = findImports(name);
    if (found.contents !== undefined) source.content = found.contents;
  }
}
const output = solc.compile(JSON.stringify(input), { import: findImports });
// a pipe may take the output in pieces: write synchronously until it is all out
const bytes = Buffer.from(output, "utf8");
let offset = 0;
while (offset < bytes.length) offset += writeSync(1, bytes, offset);
