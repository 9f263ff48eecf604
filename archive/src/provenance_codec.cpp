// How revisions and runs are stored: sealed CBOR of the JSON below, read
// back with their seals checked (internal to archive/; provenance_codec.hpp).
#include "provenance_codec.hpp"

#include <ctime>

namespace defter::archive {

std::string now_utc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void to_json(json& j, const Revision& r) {
  j = {{"revision", r.number}, {"at", r.at},         {"who", r.who},     {"how", r.how},
       {"source", r.source},   {"run", r.run},       {"change", r.change}, {"parts", json::array()}};
  if (r.run == 0) j["run"] = nullptr;
  for (const auto& p : r.parts) j["parts"].push_back({{"lang", p.lang.empty() ? json(nullptr) : json(p.lang)}, {"change", p.change}});
  j["fields"] = json::array();
  for (const auto& f : r.fields) {
    json field = {{"lang", f.lang.empty() ? json(nullptr) : json(f.lang)}, {"field", f.field}, {"change", f.change}};
    if (f.change != "added") field["before"] = f.before;
    if (f.change != "removed") field["after"] = f.after;
    j["fields"].push_back(std::move(field));
  }
}

namespace {

json counts_json(const RunCounts& c) {
  return {{"added", c.added},       {"replaced", c.replaced}, {"unchanged", c.unchanged},
          {"rejected", c.rejected}, {"deleted", c.deleted},   {"conflicts", c.conflicts}};
}

RunCounts counts_of(const json& j) {
  RunCounts c;
  c.added = j.value("added", std::uint64_t{0});
  c.replaced = j.value("replaced", std::uint64_t{0});
  c.unchanged = j.value("unchanged", std::uint64_t{0});
  c.rejected = j.value("rejected", std::uint64_t{0});
  c.deleted = j.value("deleted", std::uint64_t{0});
  c.conflicts = j.value("conflicts", std::uint64_t{0});
  return c;
}

}  // namespace

json run_json(const Run& r) {
  json j = {{"id", r.id},         {"how", r.how},           {"who", r.who},
            {"started", r.started}, {"ended", r.ended.empty() ? json(nullptr) : json(r.ended)},
            {"files", r.files},   {"counts", counts_json(r.counts)}, {"complete", r.complete}};
  if (r.reverts) j["reverts"] = r.reverts;
  if (!r.record.empty()) j["record"] = r.record;
  return j;
}

Run run_of(const json& j) {
  Run r;
  r.id = j.value("id", std::uint64_t{0});
  r.how = j.value("how", "");
  r.who = j.value("who", "");
  r.started = j.value("started", "");
  if (j.contains("ended") && j["ended"].is_string()) r.ended = j["ended"].get<std::string>();
  r.files = j.value("files", std::vector<std::string>{});
  if (j.contains("counts")) r.counts = counts_of(j["counts"]);
  r.complete = j.value("complete", false);
  r.reverts = j.value("reverts", std::uint64_t{0});
  r.record = j.value("record", "");
  return r;
}

Result<json> stored_json(const TxnHandle& txn, int db, std::string_view key, std::string_view value, const std::string& what) {
  auto inner = txn.unseal(db, key, value, what);
  if (!inner) return inner.status();
  try {
    return json::from_cbor(*inner);
  } catch (const json::exception& e) {
    return Status(Code::kCorruption, what + ": " + e.what());
  }
}

Result<json> revision_json(const TxnHandle& txn, std::string_view key, std::string_view value) {
  return stored_json(txn, kRevisions, key, value, "a revision of " + std::string(key.substr(1, key.size() - 10)));
}

Revision revision_of(const json& j) {
  Revision r;
  r.number = j.value("n", std::uint64_t{0});
  r.at = j.value("at", "");
  r.who = j.value("who", "");
  r.how = j.value("how", "");
  r.source = j.value("src", "");
  r.run = j.value("run", std::uint64_t{0});
  r.change = j.value("change", "");
  for (const auto& p : j.value("parts", json::array())) r.parts.push_back({p.value("lang", ""), p.value("change", "")});
  return r;
}

void to_json(json& j, const Run& r) { j = run_json(r); }

}  // namespace defter::archive
