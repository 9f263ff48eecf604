// Reads a search's exports back with parsers that are not defter's:
// csv-parse for the CSV (as a spreadsheet would), Citation.js for RIS,
// BibTeX and CSL-JSON (as reference managers do). Prints, as one JSON
// object, the CSV's rows (by the header's names) and each format's entries
// as CSL-JSON; the C++ test (tests/httpd/exports_test.cpp) compares them.
//
//   node exports-check.mjs SEARCH.csv SEARCH.ris SEARCH.bib SEARCH.csl.json
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { Cite } from '@citation-js/core';
import '@citation-js/plugin-bibtex';
import '@citation-js/plugin-ris';
import '@citation-js/plugin-csl';

const [csvFile, risFile, bibFile, cslFile] = process.argv.slice(2);
const text = f => readFileSync(f, 'utf8');
const out = {
  csv: parse(text(csvFile), { columns: true, bom: true, relax_quotes: false }),
  ris: new Cite(text(risFile), { forceType: '@ris/file' }).data,
  bibtex: new Cite(text(bibFile), { forceType: '@biblatex/text' }).data,
  csl: new Cite(JSON.parse(text(cslFile))).data,
};
process.stdout.write(JSON.stringify(out) + '\n');
