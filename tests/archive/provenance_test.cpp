// Provenance: every change kept as a revision with who, how, where and the
// run; the record at any revision; runs; reverts of runs and of records,
// their conflicts, and a revert of a revert.
#include <map>
#include <random>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "defter/archive/archive.hpp"
#include "defter/archive/importer.hpp"
#include "support.hpp"

using namespace defter;
using nlohmann::json;
using schema::RecordType;

namespace {

std::unique_ptr<archive::Archive> open(const test::TempDir& dir) {
  archive::Options options;
  options.dir = dir.path() / "archive";
  options.initial_map_size = 256 << 10;  // small, so the map grows (and writes run again) during the tests
  auto a = archive::Archive::open(options);
  INFO((a.ok() ? std::string() : a.status().to_string()));
  REQUIRE(a.ok());
  return std::move(a.value());
}

schema::Author author(const std::string& id, const std::string& name) {
  schema::Author a;
  a.id = id;
  a.name = name;
  a.bio["tr"] = "Biyografi: " + name;
  return a;
}

schema::Article article(const std::string& id, const std::string& author_id, const std::map<std::string, std::string>& titles) {
  schema::Article a;
  a.id = id;
  a.published = "2023-05";
  a.authors = {author_id};
  a.original_language = titles.begin()->first;
  for (const auto& [lang, title] : titles) {
    schema::Translation t;
    t.title = title;
    t.body = "Body of " + title + " [1]";
    t.footnotes.push_back(schema::Footnote{1, "note", {}, {}, {}, {}});
    a.translations[lang] = t;
  }
  return a;
}

void write(archive::Archive& a, const archive::Origin& origin, const std::function<void(archive::WriteBatch&)>& fn) {
  Status s = a.write([&](archive::WriteBatch& b) -> Status {
    b.set_origin(origin);
    fn(b);
    return {};
  });
  REQUIRE(s.ok());
}

// Every record as JSON, by "type:id": what an export holds.
std::map<std::string, json> contents(archive::Archive& a) {
  std::map<std::string, json> out;
  auto snap = a.snapshot();
  REQUIRE(snap.ok());
  REQUIRE(snap->for_each_author([&](const schema::Author& x) {
    out["author:" + x.id] = json(x);
    return true;
  }).ok());
  REQUIRE(snap->for_each_article([&](const schema::Article& x) {
    out["article:" + x.id] = json(x);
    return true;
  }).ok());
  return out;
}

struct Listener : archive::ImportListener {};

archive::ImportSummary import_text(archive::Archive& a, const std::string& who, const std::string& name, const std::string& text) {
  archive::ImportOptions o;
  o.origin.who = who;
  o.batch_records = 3;  // several batches, each writing the run's counts
  Listener l;
  auto r = archive::import_jsonl_text(a, name, text, o, l);
  REQUIRE(r.ok());
  return *r;
}

std::string line(const schema::Record& r) {
  return std::visit([](const auto& x) { return schema::to_json_line(x); }, r) + "\n";
}

}  // namespace

TEST_CASE("each change is a revision with who, how, where and what it was before", "[archive][provenance]") {
  test::TempDir dir;
  auto a = open(dir);
  archive::Origin alice{"alice", "api", "PUT /api/v1/authors/ay", 0};
  write(*a, alice, [](archive::WriteBatch& b) { REQUIRE(b.put(author("ay", "Ayşe")).ok()); });
  write(*a, alice, [](archive::WriteBatch& b) { REQUIRE(b.put(author("ay", "Ayşe")).ok()); });  // unchanged: no revision
  write(*a, {"bob", "api", "PUT /api/v1/authors/ay", 0}, [](archive::WriteBatch& b) { REQUIRE(b.put(author("ay", "Ayşe Yılmaz")).ok()); });
  write(*a, {"carol", "delete", "defter delete", 0}, [](archive::WriteBatch& b) { REQUIRE(b.remove(RecordType::kAuthor, "ay").value()); });

  auto snap = a->snapshot();
  REQUIRE(snap.ok());
  auto h = snap->history(RecordType::kAuthor, "ay", true);
  REQUIRE(h.ok());
  REQUIRE(h->size() == 3);
  CHECK((*h)[0].number == 3);
  CHECK((*h)[0].who == "carol");
  CHECK((*h)[0].how == "delete");
  CHECK((*h)[0].change == "deleted");
  CHECK((*h)[1].who == "bob");
  CHECK((*h)[1].change == "replaced");
  CHECK((*h)[1].source == "PUT /api/v1/authors/ay");
  REQUIRE((*h)[1].fields.size() == 2);  // name and bio
  CHECK((*h)[1].fields[1].field == "name");
  CHECK((*h)[1].fields[1].before == "Ayşe");
  CHECK((*h)[1].fields[1].after == "Ayşe Yılmaz");
  CHECK((*h)[2].change == "added");
  CHECK((*h)[2].run == 0);
  CHECK(!(*h)[0].at.empty());

  // A deleted record's versions stay: each revision's, and none after the delete.
  auto v2 = snap->version(RecordType::kAuthor, "ay", 2);
  REQUIRE(v2.ok());
  REQUIRE(v2->has_value());
  CHECK(std::get<schema::Author>(**v2).name == "Ayşe Yılmaz");
  auto v1 = snap->version(RecordType::kAuthor, "ay", 1);
  REQUIRE(v1.ok());
  CHECK(std::get<schema::Author>(**v1).name == "Ayşe");
  CHECK(!snap->version(RecordType::kAuthor, "ay", 3)->has_value());
  CHECK(!snap->version(RecordType::kAuthor, "ay", 0)->has_value());
  CHECK(snap->version(RecordType::kAuthor, "ay", 4).status().code() == Code::kNotFound);
  CHECK(snap->history(RecordType::kAuthor, "nobody")->empty());
  auto last = snap->last_revision(RecordType::kAuthor, "ay");
  REQUIRE(last.ok());
  REQUIRE(last->has_value());
  CHECK((*last)->number == 3);
  CHECK((*last)->who == "carol");
  CHECK(!snap->last_revision(RecordType::kAuthor, "nobody")->has_value());
  CHECK(!snap->last_revision(RecordType::kArticle, "ay")->has_value());  // an author's id names no article's history
  CHECK(snap->check_provenance().empty());
}

TEST_CASE("the record at every revision is what was written then, translations and all", "[archive][provenance]") {
  test::TempDir dir;
  auto a = open(dir);
  const unsigned seed = test::random_seed();
  INFO(test::replay_hint(seed));
  std::mt19937 rng(seed);
  write(*a, {}, [](archive::WriteBatch& b) { REQUIRE(b.put(author("au", "A")).ok()); });
  // A model: the article as JSON after each revision (null: absent).
  std::vector<json> expected{nullptr};  // revision 0: nothing
  std::optional<schema::Article> now;
  const std::vector<std::string> langs{"en", "tr", "ru"};
  for (int step = 0; step < 60; ++step) {
    int op = static_cast<int>(rng() % 10);
    bool changed = false;
    write(*a, {"w" + std::to_string(step), "api", "step " + std::to_string(step), 0}, [&](archive::WriteBatch& b) {
      if (op == 0 && now) {  // delete the whole article
        changed = b.remove(RecordType::kArticle, "art").value();
        now.reset();
      } else if (op == 1 && now && now->translations.size() > 1) {  // delete one translation
        std::string lang = std::next(now->translations.begin(), static_cast<long>(rng() % now->translations.size()))->first;
        if (lang == now->original_language) return;
        changed = b.remove(RecordType::kTranslation, "art", lang).value();
        now->translations.erase(lang);
      } else if (op == 2 && now) {  // a translation alone
        std::string lang = langs[rng() % langs.size()];
        schema::TranslationRecord tr{"art", lang, {}};
        tr.translation.title = "T" + std::to_string(rng() % 4);
        tr.translation.body = "B";
        auto o = b.put(schema::Record(tr));
        REQUIRE(o.ok());
        changed = *o != archive::PutOutcome::kUnchanged;
        now->translations[lang] = tr.translation;
      } else {  // the whole article, some translations changed
        std::map<std::string, std::string> titles{{"en", "E" + std::to_string(rng() % 3)}};
        if (rng() % 2) titles["tr"] = "T" + std::to_string(rng() % 3);
        auto art = article("art", "au", titles);
        art.published = rng() % 2 ? "2023-05" : "2024";
        auto o = b.put(schema::Record(art));
        REQUIRE(o.ok());
        changed = *o != archive::PutOutcome::kUnchanged;
        // Translations the record does not carry are kept.
        if (now)
          for (auto& [l, t] : now->translations)
            if (!art.translations.count(l)) art.translations[l] = t;
        now = art;
      }
    });
    if (changed) expected.push_back(now ? json(*now) : json(nullptr));
  }
  auto snap = a->snapshot();
  REQUIRE(snap.ok());
  auto h = snap->history(RecordType::kArticle, "art", true);
  REQUIRE(h.ok());
  REQUIRE(h->size() == expected.size() - 1);
  for (std::uint64_t n = 0; n < expected.size(); ++n) {
    INFO("revision " << n);
    auto v = snap->version(RecordType::kArticle, "art", n);
    REQUIRE(v.ok());
    json got = v->has_value() ? json(std::get<schema::Article>(**v)) : json(nullptr);
    CHECK(got == expected[n]);
  }
  // Every revision that is not a deletion says which fields changed.
  for (const auto& r : *h)
    if (r.change == "replaced") CHECK(!r.fields.empty());
  CHECK(snap->check_provenance().empty());
}

TEST_CASE("a run is reverted to exactly what was before it, and its revert too", "[archive][provenance][revert]") {
  test::TempDir dir;
  auto a = open(dir);
  std::string first;
  for (int i = 0; i < 4; ++i) first += line(author("au" + std::to_string(i), "Author " + std::to_string(i)));
  for (int i = 0; i < 8; ++i)
    first += line(article("art" + std::to_string(i), "au" + std::to_string(i % 4), {{"en", "Title " + std::to_string(i)}, {"tr", "Başlık " + std::to_string(i)}}));
  auto run1 = import_text(*a, "alice", "first.jsonl", first);
  CHECK(run1.run == 1);
  auto before = contents(*a);

  // The second import replaces some, adds others, and leaves some as they are.
  std::string second;
  second += line(author("au1", "Author One, renamed"));
  second += line(author("au9", "New Author"));
  second += line(article("art0", "au9", {{"en", "Title 0, revised"}, {"tr", "Başlık 0"}, {"ru", "Заголовок 0"}}));
  second += line(article("art1", "au1", {{"en", "Title 1"}, {"tr", "Başlık 1"}}));  // unchanged
  second += line(article("art20", "au9", {{"en", "A new one"}}));
  auto run2 = import_text(*a, "bob", "second.jsonl", second);
  CHECK(run2.run == 2);
  CHECK(run2.counts.added == 2);
  CHECK(run2.counts.replaced == 2);
  CHECK(run2.counts.unchanged == 1);
  auto after = contents(*a);
  REQUIRE(after != before);

  {
    auto snap = a->snapshot();
    auto r = snap->run(2);
    REQUIRE(r.ok());
    CHECK(r->who == "bob");
    CHECK(r->how == "import");
    CHECK(r->complete);
    CHECK(r->files == std::vector<std::string>{"second.jsonl"});
    CHECK(r->counts.added == 2);
    CHECK(r->counts.replaced == 2);
    auto recs = snap->run_records(2);
    REQUIRE(recs.ok());
    CHECK(recs->size() == 4);  // the unchanged article made no revision
    auto h = snap->history(RecordType::kArticle, "art0");
    CHECK(h->front().source == "second.jsonl:3");
    CHECK(h->front().run == 2);
  }

  // A dry run says what would happen and writes nothing.
  archive::RevertOptions dry;
  dry.who = "carol";
  dry.dry_run = true;
  auto plan = archive::revert_run(*a, 2, dry);
  REQUIRE(plan.ok());
  CHECK(plan->counts.replaced == 2);
  CHECK(plan->counts.deleted == 2);
  CHECK(contents(*a) == after);

  archive::RevertOptions o;
  o.who = "carol";
  o.batch_records = 1;
  auto reverted = archive::revert_run(*a, 2, o);
  REQUIRE(reverted.ok());
  CHECK(reverted->run == 3);
  CHECK(reverted->counts.conflicts == 0);
  CHECK(contents(*a) == before);
  CHECK(archive::revert_run(*a, 2, o).status().code() == Code::kConflict);  // once only

  // The revert is a run: reverting it brings the second import back.
  auto again = archive::revert_run(*a, 3, o);
  REQUIRE(again.ok());
  CHECK(contents(*a) == after);
  auto snap = a->snapshot();
  auto runs = snap->runs();
  REQUIRE(runs->size() == 4);
  CHECK((*runs)[2].how == "revert");
  CHECK((*runs)[2].reverts == 2);
  CHECK((*runs)[2].who == "carol");
  CHECK((*runs)[2].complete);
  CHECK(snap->history(RecordType::kArticle, "art20")->front().how == "revert");
  CHECK(snap->check_provenance().empty());
}

TEST_CASE("a record a later run changed is a conflict, left alone unless forced", "[archive][provenance][revert]") {
  test::TempDir dir;
  auto a = open(dir);
  import_text(*a, "alice", "a.jsonl", line(author("au", "A")) + line(article("x", "au", {{"en", "X"}})) + line(article("y", "au", {{"en", "Y"}})));
  import_text(*a, "bob", "b.jsonl", line(article("x", "au", {{"en", "X2"}})) + line(article("y", "au", {{"en", "Y2"}})) +
                                        line(author("nu", "New")) + line(article("z", "nu", {{"en", "Z"}})));
  // A later import changes y, and names the new author from another article.
  import_text(*a, "carol", "c.jsonl", line(article("y", "au", {{"en", "Y3"}})) + line(article("w", "nu", {{"en", "W"}})));

  archive::RevertOptions o;
  o.who = "dan";
  auto r = archive::revert_run(*a, 2, o);
  REQUIRE(r.ok());
  std::map<std::string, archive::RevertItem> by_id;
  for (const auto& item : r->items) by_id[item.id] = item;
  CHECK(by_id["x"].action == "restored");
  CHECK(by_id["y"].action == "conflict");
  CHECK_THAT(by_id["y"].reason, Catch::Contains("carol") && Catch::Contains("run 3"));
  CHECK(by_id["z"].action == "removed");
  CHECK(by_id["nu"].action == "conflict");  // article w, from a later run, names it
  CHECK_THAT(by_id["nu"].reason, Catch::Contains("named by"));
  CHECK(r->counts.conflicts == 2);
  auto c = contents(*a);
  CHECK(c["article:x"]["translations"]["en"]["title"] == "X");
  CHECK(c["article:y"]["translations"]["en"]["title"] == "Y3");
  CHECK(c.count("author:nu") == 1);
  CHECK(c.count("article:z") == 0);
  auto snap = a->snapshot();
  CHECK(snap->check_provenance().empty());
}

TEST_CASE("forcing a revert puts back what a later run changed too", "[archive][provenance][revert]") {
  test::TempDir dir;
  auto a = open(dir);
  import_text(*a, "alice", "a.jsonl", line(author("au", "A")) + line(article("y", "au", {{"en", "Y"}})));
  import_text(*a, "bob", "b.jsonl", line(article("y", "au", {{"en", "Y2"}, {"tr", "Y2 tr"}})));
  import_text(*a, "carol", "c.jsonl", line(article("y", "au", {{"en", "Y3"}})));
  archive::RevertOptions o;
  o.force = true;
  auto r = archive::revert_run(*a, 2, o);
  REQUIRE(r.ok());
  CHECK(r->counts.conflicts == 0);
  auto c = contents(*a);
  CHECK(c["article:y"]["translations"]["en"]["title"] == "Y");
  CHECK(!c["article:y"]["translations"].contains("tr"));  // run 2 added it: gone with the rest
}

TEST_CASE("one record is put back at any revision, as a run of its own", "[archive][provenance][revert]") {
  test::TempDir dir;
  auto a = open(dir);
  import_text(*a, "alice", "a.jsonl", line(author("au", "A")) + line(article("y", "au", {{"en", "Y1"}})));
  import_text(*a, "bob", "b.jsonl", line(article("y", "au", {{"en", "Y2"}})));
  write(*a, {"eve", "delete", "defter delete", 0}, [](archive::WriteBatch& b) { REQUIRE(b.remove(RecordType::kArticle, "y").value()); });
  archive::RevertOptions o;
  o.who = "frank";
  auto r = archive::revert_record(*a, RecordType::kArticle, "y", 1, o);
  REQUIRE(r.ok());
  REQUIRE(r->items.size() == 1);
  CHECK(r->items[0].action == "re-added");
  CHECK(contents(*a)["article:y"]["translations"]["en"]["title"] == "Y1");
  auto snap = a->snapshot();
  auto run = snap->run(r->run);
  REQUIRE(run.ok());
  CHECK(run->record == "article y to revision 1");
  CHECK(run->complete);
  CHECK(snap->history(RecordType::kArticle, "y")->front().who == "frank");
  CHECK(archive::revert_record(*a, RecordType::kArticle, "y", 99, o).status().code() == Code::kNotFound);
}

TEST_CASE("an import cut short is a run that did not complete, with what it committed", "[archive][provenance]") {
  test::TempDir dir;
  auto a = open(dir);
  // A run as a killed import leaves it: begun, one batch's counts, no end.
  write(*a, {}, [](archive::WriteBatch& b) {
    archive::Run run;
    run.how = "import";
    run.who = "alice";
    run.started = archive::now_utc();
    run.files = {"big.jsonl"};
    auto id = b.begin_run(run);
    REQUIRE(id.ok());
    run.id = *id;
    run.counts.added = 25;
    REQUIRE(b.put_run(run).ok());
  });
  auto snap = a->snapshot();
  auto runs = snap->runs();
  REQUIRE(runs->size() == 1);
  CHECK(!(*runs)[0].complete);
  CHECK((*runs)[0].ended.empty());
  CHECK((*runs)[0].counts.added == 25);
  json j = (*runs)[0];
  CHECK(j["ended"].is_null());
  CHECK(j["complete"] == false);
}

TEST_CASE("pruning keeps the newest revisions and every one a revert still needs", "[archive][provenance]") {
  test::TempDir dir;
  auto a = open(dir);
  import_text(*a, "alice", "a.jsonl", line(author("au", "A0")) + line(author("bu", "B0")));
  // au: changed by five API writes; bu: by one import that wrote it three times (duplicates: the last wins).
  for (int i = 1; i <= 5; ++i)
    write(*a, {"w", "api", "PUT", 0}, [&](archive::WriteBatch& b) { REQUIRE(b.put(author("au", "A" + std::to_string(i))).ok()); });
  import_text(*a, "bob", "b.jsonl", line(author("bu", "B1")) + line(author("bu", "B2")) + line(author("bu", "B3")));
  CHECK(archive::prune_revisions(*a, 0).status().code() == Code::kInvalidArgument);
  auto report = archive::prune_revisions(*a, 2);
  REQUIRE(report.ok());
  CHECK(report->records == 2);
  CHECK(report->removed == 4 + 1);  // au: 6 revisions, 2 kept; bu: the import's 3 kept, the first gone
  {
    auto snap = a->snapshot();
    auto h = snap->history(RecordType::kAuthor, "au");
    REQUIRE(h->size() == 2);
    CHECK(h->back().number == 5);
    CHECK(std::get<schema::Author>(*snap->version(RecordType::kAuthor, "au", 4).value()).name == "A3");
    CHECK(snap->version(RecordType::kAuthor, "au", 3).status().code() == Code::kNotFound);  // older than what is kept
    CHECK(snap->history(RecordType::kAuthor, "bu")->size() == 3);
  }
  // The last import's revert is still possible; the first's is not, for au.
  archive::RevertOptions o;
  auto r = archive::revert_run(*a, 2, o);
  REQUIRE(r.ok());
  CHECK(r->counts.replaced == 1);
  CHECK(contents(*a)["author:bu"]["name"] == "B0");
  auto old = archive::revert_run(*a, 1, o);
  REQUIRE(old.ok());
  for (const auto& item : old->items) CHECK(item.action == "conflict");
}
