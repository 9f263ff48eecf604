// An independent JSON Schema (draft 2020-12) validator for the schema
// agreement test: reads the schemas from the directory given as the first
// argument and a JSON array of values on standard input, and prints a JSON
// array of verdicts, [{"valid": bool, "errors": ["path: message", ...]}].
import fs from "node:fs";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020.js";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node ajv-check.mjs SCHEMA_DIR < values.json");
  process.exit(2);
}
const ajv = new Ajv2020({ allErrors: true, strict: true });
for (const name of fs.readdirSync(dir).filter((n) => n.endsWith(".json")).sort()) {
  ajv.addSchema(JSON.parse(fs.readFileSync(path.join(dir, name), "utf8")));
}
const validate = ajv.getSchema("https://schema.defter.invalid/v1/import-line.json");
const values = JSON.parse(fs.readFileSync(0, "utf8"));
const verdicts = values.map((value) => {
  const valid = validate(value);
  return { valid, errors: valid ? [] : validate.errors.map((e) => `${e.instancePath}: ${e.message}`) };
});
process.stdout.write(JSON.stringify(verdicts) + "\n");
