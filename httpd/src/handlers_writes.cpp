// The write handlers: PUT and DELETE of records, POST /api/v1/import.
#include "api_impl.hpp"

namespace defter::httpd {

// JSON Lines through the importer, as `defter import` takes them.
std::pair<archive::ImportSummary, std::vector<archive::ImportProblem>> ApiWorker::Impl::import_text(
    const std::string& name, std::string_view text, unsigned threads, const archive::Origin& origin, bool record_run,
    const std::vector<std::pair<schema::RecordType, std::string>>& written) {
  archive::ImportOptions o;
  o.threads = threads;
  o.origin = origin;
  o.record_run = record_run;
  Collected c;
  auto r = archive::import_jsonl_text(archive, name, text, o, c);
  if (!r) throw r.status();
  if (r->counts.records() > 0 && options.on_write) options.on_write(written);
  return {*r, std::move(c.problems)};
}

archive::Origin ApiWorker::Impl::origin(std::string how, std::string source) const {
  return {caller, std::move(how), std::move(source), 0};
}

// A record's path in the API, as a revision's source names it.
static std::string record_path(schema::RecordType type, const std::string& id, const std::string& lang) {
  if (type == schema::RecordType::kAuthor) return "/api/v1/authors/" + id;
  if (type == schema::RecordType::kTranslation) return "/api/v1/articles/" + id + "/translations/" + lang;
  return "/api/v1/articles/" + id;
}

std::uint64_t ApiWorker::Impl::last_change() {
  return snapshot().last_seq();
}

json ApiWorker::Impl::problem_json(const archive::ImportProblem& p) {
  json j = {{"line", p.line}, {"record", p.record}, {"field", p.field}, {"reason", p.reason}, {"warning", p.warning}};
  return j;
}

// PUT of one record: the body's fields, with what the path says.
Response ApiWorker::Impl::put_record(schema::RecordType type, const std::string& id, const std::string& lang, const std::string& body) {
  // A body that is not JSON: where it breaks, as a line and a column
  // (bodies are often pretty-printed) and the byte.
  std::vector<std::string> duplicates;
  std::size_t error_byte = 0;
  schema::JsonParseOptions lines;
  lines.lines = true;
  lines.error_byte = &error_byte;
  auto parsed = schema::parse_json(body, &duplicates, lines);
  if (!parsed) {
    auto at = schema::position_of(body, error_byte);
    const std::string& reason = parsed.status().message();
    throw BadRequest{"the body: " + reason,
                     {{"errors", json::array({{{"field", ""}, {"line", at.line}, {"column", at.column}, {"reason", reason}}})}}};
  }
  json& j = *parsed;
  if (!j.is_object()) throw BadRequest{"the body must be a JSON object (the record's fields)"};
  auto fix = [&](const char* field, const std::string& value) {
    if (!j.contains(field)) {
      j[field] = value;
      return;
    }
    const json& given = j[field];
    if (given.is_string() && given.get_ref<const std::string&>() == value) return;
    // Named, not quoted: the value is the client's and may be anything.
    std::string what = given.is_string() ? "'" + given.get<std::string>().substr(0, 200) + "'" : "a JSON " + std::string(given.type_name());
    throw BadRequest{std::string("field ") + field + ": " + what + " differs from the path's '" + value + "'"};
  };
  fix("type", schema::type_name(type));
  if (type == schema::RecordType::kTranslation) {
    fix("article", id);
    fix("lang", lang);
  } else {
    fix("id", id);
  }
  // The record the indexer makes searchable first: an article (for a translation too) or an author.
  schema::RecordType unit = type == schema::RecordType::kAuthor ? type : schema::RecordType::kArticle;
  auto [summary, problems] =
      import_text("body", j.dump(-1, ' ', false, json::error_handler_t::strict) + "\n", 1,
                  origin("api", "PUT " + record_path(type, id, lang)), false, {{unit, id}});
  std::vector<json> warnings;
  for (const auto& key : duplicates)
    warnings.push_back(problem_json({"body", 1, "", key, "the key is given more than once; the last value is kept", true}));
  // Every problem of the record, as import reports them: in the detail, and
  // one by one in "errors" ({field, reason}).
  std::string rejected;
  json errors = json::array();
  for (const auto& p : problems) {
    if (p.warning) {
      warnings.push_back(problem_json(p));
      continue;
    }
    rejected += (rejected.empty() ? "" : "; ") + (p.field.empty() ? "" : p.field + ": ") + p.reason;
    errors.push_back({{"field", p.field}, {"reason", p.reason}});
  }
  if (summary.counts.rejected > 0 || summary.counts.records() == 0)
    throw BadRequest{rejected.empty() ? "the record was not accepted" : rejected, {{"errors", errors}}};
  std::string outcome = summary.counts.added ? "added" : summary.counts.replaced ? "replaced" : "unchanged";
  Response res = json_response({{"outcome", outcome}, {"warnings", warnings}, {"last_change", last_change()}},
                               summary.counts.added ? http::status::created : http::status::ok);
  return res;
}

Response ApiWorker::Impl::delete_record(schema::RecordType type, const std::string& id, const std::string& lang) {
  bool removed = false;
  Status st = archive.write([&](archive::WriteBatch& batch) -> Status {
    batch.set_origin(origin("delete", "DELETE " + record_path(type, id, lang)));
    auto r = batch.remove(type, id, lang);
    if (!r) return r.status();
    removed = *r;
    return {};
  });
  if (!st.ok()) throw st;  // an author articles still name: 409 (problems.hpp)
  if (!removed) {
    std::string what = type == schema::RecordType::kTranslation ? "no translation '" + lang + "' of article '" + id + "'"
                       : type == schema::RecordType::kAuthor  ? "no author '" + id + "'"
                                                               : "no article '" + id + "'";
    return problem(Problem::kNotFound, what);
  }
  if (options.on_write)
    options.on_write({{type == schema::RecordType::kAuthor ? type : schema::RecordType::kArticle, id}});
  Response res{http::status::no_content, 11};
  return res;
}

Response ApiWorker::Impl::import(const Request& req) {
  if (req.body().empty()) throw BadRequest{"the body must hold JSON Lines records"};
  auto [summary, problems] = import_text("POST /api/v1/import", req.body(), 0, origin("import", ""), true);
  json list = json::array();
  for (const auto& p : problems) list.push_back(problem_json(p));
  const auto& c = summary.counts;
  return json_response({{"added", c.added},
                        {"replaced", c.replaced},
                        {"unchanged", c.unchanged},
                        {"rejected", c.rejected},
                        {"warnings", c.warnings},
                        {"lines", summary.lines},
                        {"batches", summary.batches},
                        {"run", summary.run ? json(summary.run) : json(nullptr)},
                        {"problems", std::move(list)},
                        {"last_change", last_change()}});
}

}  // namespace defter::httpd
