// A second validator of the API document (the first is Spectral): reads
// the OpenAPI document given as the argument with @readme/openapi-parser,
// which resolves every reference and checks the document against the
// OpenAPI 3.1 schema, and prints {"valid": bool, "errors": [...]}; exit 0
// when valid, 1 when not.
import { validate } from "@readme/openapi-parser";

const file = process.argv[2];
if (!file) {
  console.error("usage: node openapi-validate.mjs OPENAPI.json");
  process.exit(2);
}
const result = await validate(file);
const errors = (result.errors || []).map((e) => `${e.path ? e.path.join("/") + ": " : ""}${e.message}`);
process.stdout.write(JSON.stringify({ valid: result.valid, errors, warnings: result.warnings || [] }) + "\n");
process.exit(result.valid ? 0 : 1);
