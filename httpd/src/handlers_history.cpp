// The provenance handlers: a record's history and its versions, the runs,
// a run's revert.
#include "api_impl.hpp"

#include <charconv>

namespace defter::httpd {

namespace {

std::uint64_t number_in_path(const std::string& text, const char* what) {
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size()) throw BadRequest{std::string(what) + " must be a whole number"};
  return n;
}

bool flag(const Query& q, const std::string& name) {
  auto v = q.one(name);
  if (!v || *v == "false" || *v == "0") return false;
  if (*v == "true" || *v == "1" || v->empty()) return true;
  throw BadRequest{"parameter '" + name + "' must be true or false"};
}

}  // namespace

Response ApiWorker::Impl::history(schema::RecordType type, const std::string& id, const Params& params) {
  Query q(params, {"lang"});
  std::string lang = q.get("lang");
  auto snap = snapshot();
  auto revisions = snap.history(type, id, true);
  if (!revisions) throw revisions.status();
  bool exists = type == schema::RecordType::kAuthor ? snap.has_author(id) : snap.has_article(id);
  if (revisions->empty() && !exists)
    return problem(Problem::kNotFound, std::string("no ") + schema::type_name(type) + " '" + id + "', and none was ever recorded");
  json out = {{"type", schema::type_name(type)}, {"id", id}, {"exists", exists}, {"revisions", json::array()}};
  if (!lang.empty()) out["lang"] = lang;
  for (auto& r : *revisions) {
    if (!lang.empty()) {
      if (std::none_of(r.parts.begin(), r.parts.end(), [&](const archive::RevisionPart& p) { return p.lang == lang; })) continue;
      std::erase_if(r.fields, [&](const archive::FieldChange& f) { return f.lang != lang; });
    }
    out["revisions"].push_back(r);
  }
  return json_response(out);
}

Response ApiWorker::Impl::revision(schema::RecordType type, const std::string& id, const std::string& number, const Params& params) {
  Query q(params, {});
  std::uint64_t n = number_in_path(number, "the revision");
  auto snap = snapshot();
  auto v = snap.version(type, id, n);
  if (!v) throw v.status();
  if (!*v)
    return problem(Problem::kNotFound, std::string(schema::type_name(type)) + " '" + id + "' did not exist at revision " +
                                           std::to_string(n));
  json record;
  std::visit([&](const auto& r) { record = r; }, **v);
  return json_response({{"revision", n}, {"record", std::move(record)}});
}

Response ApiWorker::Impl::runs(const Params& params) {
  Query q(params, {});
  auto list = snapshot().runs();
  if (!list) throw list.status();
  json out = json::array();
  for (auto it = list->rbegin(); it != list->rend(); ++it) out.push_back(*it);  // newest first
  return json_response({{"runs", std::move(out)}});
}

Response ApiWorker::Impl::run(const std::string& id, const Params& params) {
  Query q(params, {});
  std::uint64_t n = number_in_path(id, "the run id");
  auto snap = snapshot();
  auto r = snap.run(n);
  if (!r) throw r.status();
  auto records = snap.run_records(n);
  if (!records) throw records.status();
  json j = *r;
  j["records"] = json::array();
  for (const auto& rec : *records)
    j["records"].push_back({{"type", schema::type_name(rec.type)}, {"id", rec.id}, {"first_revision", rec.first}});
  return json_response(j);
}

Response ApiWorker::Impl::revert(const std::string& id, const Params& params) {
  Query q(params, {"force", "dry_run"});
  std::uint64_t n = number_in_path(id, "the run id");
  archive::RevertOptions o;
  o.who = caller;
  o.force = flag(q, "force");
  o.dry_run = flag(q, "dry_run");
  auto report = archive::revert_run(archive, n, o);
  if (!report) throw report.status();  // no such run: 404; reverted already: 409 (problems.cpp)
  std::vector<std::pair<schema::RecordType, std::string>> written;
  json items = json::array();
  for (const auto& item : report->items) {
    json j = {{"type", schema::type_name(item.type)}, {"id", item.id}, {"action", item.action}};
    if (!item.reason.empty()) j["reason"] = item.reason;
    items.push_back(std::move(j));
    if (item.action == "restored" || item.action == "removed" || item.action == "re-added") written.emplace_back(item.type, item.id);
  }
  if (!o.dry_run && !written.empty() && options.on_write) options.on_write(written);
  const auto& c = report->counts;
  return json_response({{"run", report->run ? json(report->run) : json(nullptr)},
                        {"dry_run", o.dry_run},
                        {"resumed", report->resumed},
                        {"counts", {{"restored", c.replaced}, {"removed", c.deleted}, {"re_added", c.added},
                                    {"unchanged", c.unchanged}, {"conflicts", c.conflicts}}},
                        {"items", std::move(items)},
                        {"last_change", last_change()}});
}

}  // namespace defter::httpd
