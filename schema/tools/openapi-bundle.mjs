// Bundles the record schemas (schema/json: what `defter import` validates
// with) into schema/openapi.json's components, so that the API document
// stands alone: no reference leaves it. Each shared definition of
// common.json becomes a component (Record + its name: RecordId,
// RecordText, ...), article.json, author.json and translation.json become
// ArticleRecord, AuthorRecord and TranslationRecord, and every reference
// between them points into the document.
//
//   node schema/tools/openapi-bundle.mjs --write   # after changing a record schema
//   node schema/tools/openapi-bundle.mjs --check   # exit 1 when the document is not the bundle (a test runs it)
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const mode = process.argv[2];
if (mode !== "--write" && mode !== "--check") {
  console.error("usage: node schema/tools/openapi-bundle.mjs --write|--check");
  process.exit(2);
}

const read = (name) => JSON.parse(fs.readFileSync(path.join(root, "json", name), "utf8"));
const records = { "article.json": "ArticleRecord", "author.json": "AuthorRecord", "translation.json": "TranslationRecord" };
const componentOfDef = (def) => "Record" + def[0].toUpperCase() + def.slice(1);

// A reference made in `file`, as one into the document.
function rewrite(ref, file) {
  const [target, fragment = ""] = ref.split("#");
  const of = target === "" ? file : target;
  if (of === "common.json") {
    const m = /^\/\$defs\/([A-Za-z0-9_]+)$/.exec(fragment);
    if (!m) throw new Error(`${file}: a reference into common.json that is not one of its definitions: ${ref}`);
    return "#/components/schemas/" + componentOfDef(m[1]);
  }
  if (records[of] && fragment === "") return "#/components/schemas/" + records[of];
  throw new Error(`${file}: a reference the bundle cannot place: ${ref}`);
}

function bundled(value, file) {
  if (Array.isArray(value)) return value.map((v) => bundled(v, file));
  if (value === null || typeof value !== "object") return value;
  const out = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === "$schema" || k === "$id") continue;
    out[k] = k === "$ref" ? rewrite(v, file) : bundled(v, file);
  }
  return out;
}

const docPath = path.join(root, "openapi.json");
const text = fs.readFileSync(docPath, "utf8");
const doc = JSON.parse(text);
const schemas = doc.components.schemas;
const common = read("common.json");
for (const [def, schema] of Object.entries(common.$defs)) schemas[componentOfDef(def)] = bundled(schema, "common.json");
for (const [file, name] of Object.entries(records)) {
  const schema = bundled(read(file), file);
  if (schema.$defs) throw new Error(`${file}: definitions of its own belong in common.json`);
  schemas[name] = schema;
}
const want = JSON.stringify(doc, null, 2) + "\n";
if (mode === "--write") {
  if (want !== text) fs.writeFileSync(docPath, want);
} else if (want !== text) {
  console.error("schema/openapi.json is not the bundle of schema/json: run node schema/tools/openapi-bundle.mjs --write");
  process.exit(1);
}
