// The archive's contract: upserts, unchanged detection, the change log,
// deletes, snapshots, and readers on many threads (older formats:
// format_test.cpp).
#include <atomic>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "defter/archive/archive.hpp"
#include "defter/archive/importer.hpp"
#include "archive_support.hpp"
#include "support.hpp"

using namespace defter;
using archive::PutOutcome;
using schema::RecordType;
using namespace archive_test;

namespace {

schema::Author author(const std::string& id, const std::string& name = "Name") {
  schema::Author a;
  a.id = id;
  a.name = name;
  a.bio["tr"] = "Biyografi " + name;
  return a;
}

schema::Article article(const std::string& id, const std::string& author_id, std::vector<std::string> langs) {
  schema::Article a;
  a.id = id;
  a.published = "2023-05";
  a.authors = {author_id};
  a.original_language = langs.front();
  for (auto& l : langs) {
    schema::Translation t;
    t.title = "Title " + l;
    t.body = "Body " + l + " [1]";
    t.footnotes.push_back(schema::Footnote{1, "note", {}, {}, {}, {}});
    a.translations[l] = t;
  }
  return a;
}

std::vector<archive::Change> changes(archive::Archive& a, std::uint64_t after = 0) {
  std::vector<archive::Change> out;
  auto snap = a.snapshot();
  REQUIRE(snap.ok());
  REQUIRE(snap->for_each_change(after, [&](const archive::Change& c) {
    out.push_back(c);
    return true;
  }).ok());
  return out;
}

}  // namespace

TEST_CASE("upsert: added, unchanged, replaced, with one change per real write", "[archive]") {
  test::TempDir dir;
  auto a = open(dir);
  CHECK(put(*a, author("au")) == PutOutcome::kAdded);
  CHECK(put(*a, article("ar", "au", {"en", "tr"})) == PutOutcome::kAdded);
  auto log = changes(*a);
  REQUIRE(log.size() == 4);  // author, article, 2 translations
  CHECK(log[0] == archive::Change{1, archive::ChangeOp::kPut, RecordType::kAuthor, "au", ""});
  CHECK(log[1].type == RecordType::kArticle);
  CHECK(log[3] == archive::Change{4, archive::ChangeOp::kPut, RecordType::kTranslation, "ar", "tr"});

  CHECK(put(*a, author("au")) == PutOutcome::kUnchanged);
  CHECK(put(*a, article("ar", "au", {"en", "tr"})) == PutOutcome::kUnchanged);
  CHECK(changes(*a).size() == 4);  // nothing written, nothing logged

  auto changed = article("ar", "au", {"en", "tr"});
  changed.translations["tr"].title = "Yeni başlık";
  CHECK(put(*a, changed) == PutOutcome::kReplaced);
  auto after = changes(*a, 4);
  REQUIRE(after.size() == 1);  // only the translation that changed
  CHECK(after[0] == archive::Change{5, archive::ChangeOp::kPut, RecordType::kTranslation, "ar", "tr"});

  auto snap = a->snapshot();
  REQUIRE(snap.ok());
  auto got = snap->article("ar");
  REQUIRE(got.ok());
  CHECK(*got == changed);
  CHECK(snap->author("au").value() == author("au"));
  CHECK(snap->last_seq() == 5);
}

TEST_CASE("an article upsert keeps translations it does not carry", "[archive]") {
  test::TempDir dir;
  auto a = open(dir);
  put(*a, author("au"));
  put(*a, article("ar", "au", {"en"}));
  schema::TranslationRecord ru{"ar", "ru", {}};
  ru.translation.title = "Заголовок";
  ru.translation.body = "Текст";
  put(*a, ru);
  CHECK(put(*a, article("ar", "au", {"en"})) == PutOutcome::kUnchanged);
  auto snap = a->snapshot();
  auto got = snap->article("ar");
  REQUIRE(got.ok());
  CHECK(got->translations.size() == 2);
  CHECK(got->translations.at("ru").title == "Заголовок");
  CHECK(snap->translation("ar", "ru").ok());
  CHECK(snap->translation("ar", "de").status().code() == Code::kNotFound);
}

TEST_CASE("a translation's body alone reads as the whole translation's body", "[archive]") {
  test::TempDir dir;
  auto a = open(dir);
  put(*a, author("au"));
  put(*a, article("ar", "au", {"en"}));
  // A short record (stored plain) and a long one (compressed), footnotes
  // before and after the body in the record's key order.
  schema::TranslationRecord ru{"ar", "ru", {}};
  ru.translation.title = "Заголовок";
  ru.translation.body = "Текст со сноской.[^1]";
  ru.translation.footnotes.push_back({1, "body", std::string("body"), std::nullopt, std::nullopt, std::nullopt});
  put(*a, ru);
  schema::TranslationRecord tr{"ar", "tr", {}};
  tr.translation.title = "Başlık";
  for (int i = 0; i < 400; ++i) tr.translation.body += "Paragraf " + std::to_string(i) + ": Kazakistan’ın ilişkileri.\n\n";
  tr.translation.footnotes.push_back({1, "Kaynak", std::nullopt, std::string("ANKASAM"), std::nullopt, std::nullopt});
  put(*a, tr);
  auto snap = a->snapshot();
  REQUIRE(snap.ok());
  for (const char* lang : {"ru", "tr", "en"}) {
    INFO(lang);
    auto whole = snap->translation("ar", lang);
    auto body = snap->translation_body("ar", lang);
    REQUIRE(whole.ok());
    REQUIRE(body.ok());
    CHECK(*body == whole->body);
  }
  CHECK(snap->translation_body("ar", "de").status().code() == Code::kNotFound);
  CHECK(snap->translation_body("none", "ru").status().code() == Code::kNotFound);
}

TEST_CASE("deletes: article with its translations, one translation, author only when unnamed", "[archive]") {
  test::TempDir dir;
  auto a = open(dir);
  put(*a, author("au"));
  put(*a, article("ar", "au", {"en", "tr", "ru"}));
  put(*a, article("ar2", "au", {"en"}));
  auto remove = [&](RecordType t, const std::string& id, const std::string& lang = "") {
    Result<bool> out = false;
    Status s = a->write([&](archive::WriteBatch& b) -> Status {
      out = b.remove(t, id, lang);
      return out.ok() ? Status() : out.status();
    });
    return s.ok() ? out : Result<bool>(s);
  };
  auto refused = remove(RecordType::kAuthor, "au");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == Code::kConflict);
  CHECK_THAT(refused.status().message(), Catch::Contains("ar, ar2"));

  CHECK(remove(RecordType::kTranslation, "ar", "ru").value());
  CHECK_FALSE(remove(RecordType::kTranslation, "ar", "ru").value());
  CHECK(remove(RecordType::kArticle, "ar").value());
  CHECK(remove(RecordType::kArticle, "ar2").value());
  CHECK(remove(RecordType::kAuthor, "au").value());
  CHECK_FALSE(remove(RecordType::kAuthor, "au").value());

  auto snap = a->snapshot();
  auto st = snap->stats();
  CHECK(st.authors == 0);
  CHECK(st.articles == 0);
  CHECK(st.translations == 0);
  auto log = changes(*a);
  std::vector<std::string> deletes;
  for (auto& c : log)
    if (c.op == archive::ChangeOp::kDelete) deletes.push_back(std::string(schema::type_name(c.type)) + ":" + c.id + c.lang);
  CHECK(deletes == std::vector<std::string>{"translation:arru", "article:ar", "article:ar2", "author:au"});
}

TEST_CASE("articles_by_author follows author changes", "[archive]") {
  test::TempDir dir;
  auto a = open(dir);
  put(*a, author("x"));
  put(*a, author("y"));
  put(*a, article("ar", "x", {"en"}));
  CHECK(a->snapshot()->articles_by_author("x") == std::vector<std::string>{"ar"});
  put(*a, article("ar", "y", {"en"}));
  CHECK(a->snapshot()->articles_by_author("x").empty());
  CHECK(a->snapshot()->articles_by_author("y") == std::vector<std::string>{"ar"});
}

TEST_CASE("a snapshot does not see later writes and a failed batch writes nothing", "[archive]") {
  test::TempDir dir;
  auto a = open(dir);
  put(*a, author("au"));
  auto before = a->snapshot();
  REQUIRE(before.ok());
  put(*a, author("later"));
  CHECK_FALSE(before->has_author("later"));
  CHECK(a->snapshot()->has_author("later"));

  Status s = a->write([&](archive::WriteBatch& b) -> Status {
    REQUIRE(b.put(author("doomed")).ok());
    CHECK(b.has_author("doomed"));  // a batch sees its own writes
    return Status(Code::kInvalidArgument, "changed my mind");
  });
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK_FALSE(a->snapshot()->has_author("doomed"));
}

TEST_CASE("snapshots on many threads while a writer writes", "[archive]") {
  test::TempDir dir;
  auto a = open(dir);
  put(*a, author("au"));
  std::atomic<bool> done{false};
  std::atomic<int> reads{0}, inconsistent{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t)
    readers.emplace_back([&] {
      while (!done) {
        auto snap = a->snapshot();
        if (!snap.ok()) {
          ++inconsistent;
          continue;
        }
        // Articles are written with both translations in one batch: a reader
        // sees both or neither.
        Status s = snap->for_each_article([&](const schema::Article& ar) {
          if (ar.translations.size() != 2) ++inconsistent;
          return true;
        });
        if (!s.ok()) ++inconsistent;
        ++reads;
      }
    });
  for (int i = 0; i < 200; ++i) put(*a, article("ar" + std::to_string(i), "au", {"en", "tr"}));
  done = true;
  for (auto& r : readers) r.join();
  CHECK(reads > 0);
  CHECK(inconsistent == 0);
  CHECK(a->snapshot()->stats().articles == 200);
}

TEST_CASE("stats count records per type and language", "[archive]") {
  test::TempDir dir;
  auto a = open(dir);
  put(*a, author("au"));
  put(*a, article("a1", "au", {"en", "tr"}));
  put(*a, article("a2", "au", {"ru"}));
  auto st = a->snapshot()->stats();
  CHECK(st.authors == 1);
  CHECK(st.articles == 2);
  CHECK(st.translations == 3);
  using Counts = std::vector<std::pair<std::string, std::uint64_t>>;
  CHECK(st.translations_per_lang == Counts{{"en", 1}, {"ru", 1}, {"tr", 1}});
  CHECK(st.bios_per_lang == Counts{{"tr", 1}});
  CHECK(st.file_bytes > 0);
}

TEST_CASE("an article's JSON written from storage is what its records give", "[archive]") {
  test::TempDir dir;
  auto a = open(dir);
  put(*a, author("au"));
  put(*a, article("ar", "au", {"en", "tr"}));
  schema::TranslationRecord ru{"ar", "ru", {}};
  ru.translation.title = "Кавычки \"и\" обратная \\ черта";
  ru.translation.body = "Строка\tс табуляцией\nи переводом,\x01 управляющий символ, emoji 😀.\n\n[1]";
  // Every byte JSON escapes (and DEL, which it does not), at every offset
  // within and across 16-byte blocks.
  std::string specials = "\"\\\x7f";
  for (char c = 1; c < 0x20; ++c) specials += c;
  for (std::size_t i = 0; i < 2 * specials.size(); ++i) {
    for (std::size_t k = 0; k < i % 37; ++k) ru.translation.body += i % 2 ? "x" : "ж";
    ru.translation.body += specials[i % specials.size()];
  }
  ru.translation.footnotes.push_back({1, "Сноска", std::string("Заголовок"), std::string("Издатель"),
                                      std::string("https://example.org/a?b=c&d=\"e\""), std::string("2024-01-02")});
  put(*a, ru);
  auto snap = a->snapshot();
  REQUIRE(snap.ok());
  auto whole = snap->article("ar");
  REQUIRE(whole.ok());
  auto fast = snap->article_json("ar");
  REQUIRE(fast.ok());
  CHECK(*fast == nlohmann::json(*whole).dump());
  for (const char* lang : {"en", "ru", "tr"}) {
    INFO(lang);
    schema::Article one = *whole;
    for (auto it = one.translations.begin(); it != one.translations.end();)
      it = it->first == lang ? std::next(it) : one.translations.erase(it);
    auto j = snap->article_json("ar", lang);
    REQUIRE(j.ok());
    CHECK(*j == nlohmann::json(one).dump());
  }
  CHECK(snap->article_json("ar", "de").status().code() == Code::kNotFound);
  CHECK(snap->article_json("none").status().code() == Code::kNotFound);
  // The sample archive's articles, in four languages and scripts.
  test::TempDir sample_dir;
  auto b = open(sample_dir);
  archive::ImportListener quiet;
  std::vector<std::string> files;
  for (const char* f : {"10-authors.jsonl", "20-articles.jsonl", "30-translations.jsonl", "40-manual-page.jsonl"})
    files.push_back((test::source_dir() / "tools" / "sample" / f).string());
  REQUIRE(archive::import_jsonl(*b, files, {}, quiet).ok());
  auto s2 = b->snapshot();
  REQUIRE(s2.ok());
  int compared = 0;
  REQUIRE(s2->for_each_article([&](const schema::Article& art) {
    auto j = s2->article_json(art.id);
    REQUIRE(j.ok());
    CHECK(*j == nlohmann::json(art).dump());
    ++compared;
    return true;
  }).ok());
  CHECK(compared >= 8);
}

TEST_CASE("an import from memory reads as a file does: lines, held-back references, refusals", "[archive]") {
  test::TempDir dir;
  auto a = open(dir);
  struct Problems : archive::ImportListener {
    std::vector<archive::ImportProblem> seen;
    void on_problem(const archive::ImportProblem& p) override { seen.push_back(p); }
  } problems;
  // The article names an author that comes later (held back, then written);
  // the second names nobody (refused, by line); a blank line is skipped.
  const std::string text =
      R"({"type": "article", "id": "later", "published": "2024", "authors": ["ayse"], "original_language": "en"})"
      "\n\n"
      R"({"type": "article", "id": "orphan", "published": "2024", "authors": ["nobody"], "original_language": "en"})"
      "\n"
      R"({"type": "author", "id": "ayse", "name": "Ayşe"})";  // no final newline
  auto r = archive::import_jsonl_text(*a, "body", text, {}, problems);
  REQUIRE(r.ok());
  CHECK(r->counts.added == 2);
  CHECK(r->counts.rejected == 1);
  CHECK(r->lines == 3);
  REQUIRE(problems.seen.size() == 1);
  CHECK(problems.seen[0].file == "body");
  CHECK(problems.seen[0].line == 3);
  CHECK(problems.seen[0].reason.find("nobody") != std::string::npos);
  auto snap = a->snapshot();
  REQUIRE(snap.ok());
  CHECK(snap->has_article("later"));
  CHECK_FALSE(snap->has_article("orphan"));
  // An empty text is no records, and no error.
  auto empty = archive::import_jsonl_text(*a, "body", "", {}, problems);
  REQUIRE(empty.ok());
  CHECK(empty->counts.records() == 0);
}
