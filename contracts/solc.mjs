// Compile a Solidity standard-JSON input with the pinned solc-js and write the output to a
// file. `npx solcjs --standard-json` truncates its output on a pipe, hence this script.
//
// usage: node contracts/solc.mjs INPUT.json OUTPUT.json
// Imports that are not in the input (e.g. "@openzeppelin/contracts/...") are read from
// node_modules in the current working directory (the project root).
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const [inputPath, outputPath] = process.argv.slice(2);
if (!inputPath || !outputPath) {
  console.error("usage: node contracts/solc.mjs INPUT.json OUTPUT.json");
  process.exit(2);
}

const require = createRequire(path.join(process.cwd(), "package.json"));
const solc = require("solc");
const nodeModules = path.join(process.cwd(), "node_modules");

function findImports(importPath) {
  const file = path.resolve(nodeModules, importPath);
  if (!file.startsWith(nodeModules + path.sep)) {
    return { error: `import ${importPath} leaves node_modules` };
  }
  try {
    return { contents: readFileSync(file, "utf8") };
  } catch {
    return { error: `import ${importPath} not found in node_modules (run npm ci)` };
  }
}

const input = readFileSync(inputPath, "utf8");
const output = solc.compile(input, { import: findImports });
writeFileSync(outputPath, output);
console.log(solc.version());
