// The archive's contract: upserts, unchanged detection, the change log,
// deletes, snapshots, and readers on many threads.
#include <atomic>
#include <thread>

#include <lmdb.h>
#include <lz4.h>
#include <zstd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "defter/archive/archive.hpp"
#include "store.hpp"
#include "values.hpp"
#include "defter/archive/importer.hpp"
#include "support.hpp"

using namespace defter;
using archive::PutOutcome;
using schema::RecordType;

namespace {

std::unique_ptr<archive::Archive> open(const test::TempDir& dir, archive::Options options = {}) {
  options.dir = dir.path() / "archive";
  auto a = archive::Archive::open(options);
  INFO((a.ok() ? std::string() : a.status().to_string()));
  REQUIRE(a.ok());
  return std::move(a.value());
}

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

PutOutcome put(archive::Archive& a, const schema::Record& r) {
  PutOutcome out{};
  Status s = a.write([&](archive::WriteBatch& b) -> Status {
    auto o = b.put(r);
    if (!o) return o.status();
    out = *o;
    return {};
  });
  REQUIRE(s.ok());
  return out;
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

// The sample archive imported into dir (sealed, LZ4): its articles as JSON,
// in id order, for checking what an older format reads back.
// The archive's LMDB environment opened directly, to make it as an older
// format left it.
MDB_env* raw_env(const test::TempDir& dir) {
  MDB_env* env = nullptr;
  REQUIRE(mdb_env_create(&env) == 0);
  mdb_env_set_maxdbs(env, 16);
  REQUIRE(mdb_env_open(env, (dir.path() / "archive").c_str(), 0, 0644) == 0);
  return env;
}

std::vector<std::string> import_sample(const test::TempDir& dir) {
  std::vector<std::string> expected;
  auto a = open(dir);
  archive::ImportListener quiet;
  std::vector<std::string> files;
  for (const char* f : {"10-authors.jsonl", "20-articles.jsonl", "30-translations.jsonl"})
    files.push_back((test::source_dir() / "tools" / "sample" / f).string());
  REQUIRE(archive::import_jsonl(*a, files, {}, quiet).ok());
  auto snap = a->snapshot();
  REQUIRE(snap.ok());
  REQUIRE(snap->for_each_article([&](const schema::Article& art) {
    expected.push_back(nlohmann::json(art).dump());
    return true;
  }).ok());
  REQUIRE(expected.size() >= 8);
  return expected;
}

// Every article reads back as `expected` (decoded and as JSON), none damaged.
void check_reads(archive::Archive& a, const std::vector<std::string>& expected) {
  auto snap = a.snapshot();
  REQUIRE(snap.ok());
  std::size_t i = 0;
  REQUIRE(snap->for_each_article([&](const schema::Article& art) {
    REQUIRE(i < expected.size());
    CHECK(nlohmann::json(art).dump() == expected[i]);
    auto j = snap->article_json(art.id);
    REQUIRE(j.ok());
    CHECK(*j == expected[i]);
    ++i;
    return true;
  }).ok());
  CHECK(i == expected.size());
  CHECK(snap->damaged().empty());
}

// The archive in dir opened read-only.
std::unique_ptr<archive::Archive> open_read_only(const test::TempDir& dir) {
  archive::Options o;
  o.dir = dir.path() / "archive";
  o.read_only = true;
  auto a = archive::Archive::open(o);
  REQUIRE(a.ok());
  return std::move(*a);
}

// Every value of one of the archive's databases, with LMDB directly.
std::pair<MDB_dbi, std::vector<std::pair<std::string, std::string>>> values_of(MDB_txn* txn, const char* name) {
  MDB_dbi dbi;
  REQUIRE(mdb_dbi_open(txn, name, 0, &dbi) == 0);
  std::vector<std::pair<std::string, std::string>> values;
  MDB_cursor* cursor = nullptr;
  REQUIRE(mdb_cursor_open(txn, dbi, &cursor) == 0);
  MDB_val k, v;
  for (int rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT))
    values.emplace_back(std::string(static_cast<char*>(k.mv_data), k.mv_size), std::string(static_cast<char*>(v.mv_data), v.mv_size));
  mdb_cursor_close(cursor);
  return {dbi, values};
}

// The format_version the archive in dir records, read with LMDB directly.
std::string stored_format(const test::TempDir& dir) {
  MDB_env* env = nullptr;
  REQUIRE(mdb_env_create(&env) == 0);
  mdb_env_set_maxdbs(env, 16);
  REQUIRE(mdb_env_open(env, (dir.path() / "archive").c_str(), MDB_RDONLY, 0644) == 0);
  MDB_txn* txn = nullptr;
  REQUIRE(mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn) == 0);
  MDB_dbi meta;
  REQUIRE(mdb_dbi_open(txn, "meta", 0, &meta) == 0);
  std::string key = "format_version";
  MDB_val k{key.size(), key.data()}, v;
  REQUIRE(mdb_get(txn, meta, &k, &v) == 0);
  std::string out(static_cast<char*>(v.mv_data), v.mv_size);
  mdb_txn_abort(txn);
  mdb_env_close(env);
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

TEST_CASE("an archive of format 1 (no seals, zstd values) reads, and is sealed when opened for writing", "[archive]") {
  // The sample archive, written now (sealed, LZ4), then every record value
  // rewritten as format 1 wrote it: no seal, compressed values with zstd.
  test::TempDir dir;
  const std::vector<std::string> expected = import_sample(dir);
  MDB_env* env = raw_env(dir);
  MDB_txn* txn = nullptr;
  REQUIRE(mdb_txn_begin(env, nullptr, 0, &txn) == 0);
  std::size_t rewritten = 0, unsealed = 0;
  for (const char* name : {"authors", "articles", "translations"}) {
    auto [dbi, values] = values_of(txn, name);
    for (auto& [key, sealed] : values) {
      REQUIRE(sealed[0] == 'k');
      std::string value = sealed.substr(9);  // the seal: 'k' and 8 bytes of checksum
      ++unsealed;
      if (value[0] == 'l') {
        std::uint32_t size = 0;
        for (int i = 4; i >= 1; --i) size = size << 8 | static_cast<unsigned char>(value[static_cast<std::size_t>(i)]);
        std::string cbor(size, '\0');
        REQUIRE(LZ4_decompress_safe(value.data() + 5, cbor.data(), static_cast<int>(value.size() - 5), static_cast<int>(size)) ==
                static_cast<int>(size));
        std::string z(1 + ZSTD_compressBound(cbor.size()), '\0');
        z[0] = 'z';
        z.resize(1 + ZSTD_compress(z.data() + 1, z.size() - 1, cbor.data(), cbor.size(), 1));
        value = z;
        ++rewritten;
      }
      MDB_val kk{key.size(), key.data()}, vv{value.size(), value.data()};
      REQUIRE(mdb_put(txn, dbi, &kk, &vv, 0) == 0);
    }
  }
  {
    MDB_dbi meta;
    REQUIRE(mdb_dbi_open(txn, "meta", 0, &meta) == 0);
    std::string key = "format_version", one = "1";
    MDB_val kk{key.size(), key.data()}, vv{one.size(), one.data()};
    REQUIRE(mdb_put(txn, meta, &kk, &vv, 0) == 0);
  }
  REQUIRE(mdb_txn_commit(txn) == 0);
  mdb_env_close(env);
  CHECK(rewritten >= 16);  // the sample's bodies are long enough to be compressed
  check_reads(*open_read_only(dir), expected);  // read-only: read as it is, nothing written
  // For writing: every value sealed, and the format now the current one.
  auto a = open(dir);
  check_reads(*a, expected);
  a.reset();
  REQUIRE(mdb_env_create(&env) == 0);
  mdb_env_set_maxdbs(env, 16);
  REQUIRE(mdb_env_open(env, (dir.path() / "archive").c_str(), MDB_RDONLY, 0644) == 0);
  REQUIRE(mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn) == 0);
  std::size_t sealed = 0;
  for (const char* name : {"authors", "articles", "translations"})
    for (auto& [key, value] : values_of(txn, name).second) sealed += value[0] == 'k' ? 1 : 0;
  mdb_txn_abort(txn);
  mdb_env_close(env);
  CHECK(sealed == unsealed);
  CHECK(stored_format(dir) == std::to_string(archive::kArchiveFormat));
}

TEST_CASE("an archive of format 2 (sealed, no LZ4) reads, and is marked the current format before anything is written", "[archive]") {
  // The sample archive, written now, then made as format 2 wrote it: every
  // LZ4 value ('l') stored again as plain CBOR ('c') under a new seal, and
  // format_version 2.
  test::TempDir dir;
  const std::vector<std::string> expected = import_sample(dir);
  auto format_of = [&](unsigned flags) {
    MDB_env* env = nullptr;
    REQUIRE(mdb_env_create(&env) == 0);
    mdb_env_set_maxdbs(env, 16);
    REQUIRE(mdb_env_open(env, (dir.path() / "archive").c_str(), flags, 0644) == 0);
    return env;
  };
  MDB_env* env = format_of(0);
  MDB_txn* txn = nullptr;
  REQUIRE(mdb_txn_begin(env, nullptr, 0, &txn) == 0);
  std::size_t replaced = 0;
  const std::pair<const char*, int> dbs[] = {{"authors", archive::store::kAuthors},
                                             {"articles", archive::store::kArticles},
                                             {"translations", archive::store::kTranslations}};
  for (const auto& [name, db] : dbs) {
    auto [dbi, values] = values_of(txn, name);
    for (auto& [key, sealed] : values) {
      std::string_view inner = std::string_view(sealed).substr(archive::detail::kSealBytes);
      if (inner[0] != 'l') continue;
      auto cbor = archive::detail::cbor_of(inner);
      REQUIRE(cbor.ok());
      std::string plain = archive::detail::seal(db, key, "c" + *cbor);
      MDB_val kk{key.size(), key.data()}, vv{plain.size(), plain.data()};
      REQUIRE(mdb_put(txn, dbi, &kk, &vv, 0) == 0);
      ++replaced;
    }
  }
  MDB_dbi meta;
  REQUIRE(mdb_dbi_open(txn, "meta", 0, &meta) == 0);
  std::string key = "format_version", two = "2";
  MDB_val kk{key.size(), key.data()}, vv{two.size(), two.data()};
  REQUIRE(mdb_put(txn, meta, &kk, &vv, 0) == 0);
  REQUIRE(mdb_txn_commit(txn) == 0);
  mdb_env_close(env);
  CHECK(replaced >= 16);
  check_reads(*open_read_only(dir), expected);
  CHECK(stored_format(dir) == "2");  // read-only: nothing written
  auto a = open(dir);
  check_reads(*a, expected);
  a.reset();
  CHECK(stored_format(dir) == std::to_string(archive::kArchiveFormat));
}

TEST_CASE("an archive of format 3 (no revisions) reads with an empty history, and keeps revisions once written", "[archive][provenance]") {
  test::TempDir dir;
  const std::vector<std::string> expected = import_sample(dir);
  // Made as format 3 left it: without the provenance databases.
  MDB_env* env = raw_env(dir);
  MDB_txn* txn = nullptr;
  REQUIRE(mdb_txn_begin(env, nullptr, 0, &txn) == 0);
  for (const char* name : {"revisions", "runs", "run_records"}) {
    MDB_dbi dbi;
    REQUIRE(mdb_dbi_open(txn, name, 0, &dbi) == 0);
    REQUIRE(mdb_drop(txn, dbi, 1) == 0);
  }
  MDB_dbi meta;
  REQUIRE(mdb_dbi_open(txn, "meta", 0, &meta) == 0);
  std::string key = "format_version", three = "3";
  MDB_val kk{key.size(), key.data()}, vv{three.size(), three.data()};
  REQUIRE(mdb_put(txn, meta, &kk, &vv, 0) == 0);
  REQUIRE(mdb_txn_commit(txn) == 0);
  mdb_env_close(env);

  {
    auto ro = open_read_only(dir);
    check_reads(*ro, expected);
    auto snap = ro->snapshot();
    REQUIRE(snap.ok());
    CHECK(snap->runs()->empty());
    CHECK(snap->history(RecordType::kAuthor, "dogacan-basaran")->empty());
    CHECK(snap->check_provenance().empty());
  }
  CHECK(stored_format(dir) == "3");
  auto a = open(dir);
  auto au = a->snapshot()->author("dogacan-basaran");
  REQUIRE(au.ok());
  std::string old_name = au->name;
  au->name += " (renamed)";
  REQUIRE(put(*a, *au) == PutOutcome::kReplaced);
  auto snap = a->snapshot();
  auto h = snap->history(RecordType::kAuthor, "dogacan-basaran");
  REQUIRE(h->size() == 1);
  CHECK(h->front().number == 1);
  // Revision 0: the record as it was before revisions were kept.
  auto v0 = snap->version(RecordType::kAuthor, "dogacan-basaran", 0);
  REQUIRE(v0.ok());
  CHECK(std::get<schema::Author>(**v0).name == old_name);
  CHECK(stored_format(dir) == std::to_string(archive::kArchiveFormat));
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

TEST_CASE("the history's own damage is found: a revision altered, a run gone", "[archive][provenance]") {
  test::TempDir dir;
  import_sample(dir);
  MDB_env* env = raw_env(dir);
  MDB_txn* txn = nullptr;
  REQUIRE(mdb_txn_begin(env, nullptr, 0, &txn) == 0);
  auto [revisions, values] = values_of(txn, "revisions");
  REQUIRE(!values.empty());
  auto& [key, value] = *values.begin();
  std::string altered = value;
  altered.back() = static_cast<char>(altered.back() ^ 1);
  MDB_val kk{key.size(), key.data()}, vv{altered.size(), altered.data()};
  REQUIRE(mdb_put(txn, revisions, &kk, &vv, 0) == 0);
  MDB_dbi runs;
  REQUIRE(mdb_dbi_open(txn, "runs", 0, &runs) == 0);
  REQUIRE(mdb_drop(txn, runs, 0) == 0);  // emptied: every revision names a run that is gone
  REQUIRE(mdb_txn_commit(txn) == 0);
  mdb_env_close(env);

  auto a = open_read_only(dir);
  auto snap = a->snapshot();
  REQUIRE(snap.ok());
  auto problems = snap->check_provenance();
  std::string all;
  for (const auto& p : problems) all += p.message() + "\n";
  CHECK_THAT(all, Catch::Contains("damaged"));
  CHECK_THAT(all, Catch::Contains("names run 1, which the archive does not have"));
  CHECK(problems.size() == values.size());  // each revision once: one damaged, the rest without their run
}
