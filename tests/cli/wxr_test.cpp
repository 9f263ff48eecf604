// A WordPress export into the archive (defter import --from wxr), end to
// end with the real binary: tests/data/documents/wordpress.xml
// (make-wxr: the seed article's first section as the institute's site
// holds it, in English, Turkish and Russian, linked by Polylang) read
// back field by field against schema/examples, searched, imported again,
// reverted; and exports that are damaged, refused with their place and
// nothing written.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support.hpp"

using nlohmann::json;
namespace fs = std::filesystem;
namespace test = defter::test;

namespace {

const std::string kArticle = "steps-to-consolidate-strong-cooperation-in-china-central-asian-relations";

std::string wxr() {
  return (test::source_dir() / "tests" / "data" / "documents" / "wordpress.xml").string();
}

json example(const std::string& name) {
  return json::parse(test::read_file(test::source_dir() / "schema" / "examples" / name));
}

// The line of the <item> that holds post `id`.
std::uint64_t item_line(const std::string& id) {
  std::ifstream in(wxr());
  std::uint64_t n = 0, item = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (line.find("<item>") != std::string::npos) item = n;
    if (line.find("<wp:post_id>" + id + "</wp:post_id>") != std::string::npos) return item;
  }
  return 0;
}

json stored(const std::string& data, const std::string& type) {
  auto r = test::defter(data, {"export", "--type", type});
  REQUIRE(r.exit_code == 0);
  json all = json::array();
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) all.push_back(json::parse(line));
  return all;
}

}  // namespace

TEST_CASE("a WordPress export: a Polylang group is one article in three languages, field by field",
          "[cli][e2e][documents][wxr]") {
  test::TempDir dir;
  const std::string data = dir.str("data");

  auto dry = test::defter(data, {"import", "--dry-run", "--from", "wxr", wxr()});
  INFO(dry.err);
  CHECK(dry.exit_code == 0);
  CHECK(dry.out.find("dry run, would be: 5 added") != std::string::npos);
  CHECK(test::defter(data, {"get", kArticle}).exit_code != 0);

  auto r = test::defter(data, {"import", "--from", "wxr", wxr()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  // The author, the seed article (three posts), the Turkish post of its own.
  CHECK(r.out.find("5 added, 0 replaced, 0 unchanged, 0 rejected, 2 warnings") != std::string::npos);
  CHECK(r.err.find("wordpress.xml:" + std::to_string(item_line("101")) + ": warning: article " + kArticle +
                   ": content:encoded: image 1 ('Leaders at the C+C5 summit in Xian') left out") !=
        std::string::npos);
  CHECK(r.err.find("wordpress.xml:" + std::to_string(item_line("120")) +
                   ": warning: article kirgizistanda-demiryolu-projesi: content:encoded: table 1 ('Uzunluk') left "
                   "out") != std::string::npos);
  CHECK(r.err.find("author 'Doğacan Başaran' is new: created as 'dogacan-basaran'") != std::string::npos);
  CHECK(r.err.find("left out (only published posts become articles): 1 attachment, 1 draft post, 1 page") !=
        std::string::npos);

  // The author, with the biography the export carries, in the site's language.
  json authors = stored(data, "author");
  REQUIRE(authors.size() == 1);
  CHECK(authors[0]["id"] == "dogacan-basaran");
  CHECK(authors[0]["name"] == "Doğacan Başaran");
  CHECK(authors[0]["bio"] == json{{"tr", example("seed-author.json")["bio"]["tr"]}});

  json articles = stored(data, "article");
  REQUIRE(articles.size() == 2);
  json article;
  for (const auto& a : articles)
    if (a["id"] == kArticle) article = a;
  REQUIRE(article.is_object());
  // The English post was published first: it is the original.
  CHECK(article["published"] == "2023-05-22");
  CHECK(article["original_language"] == "en");
  CHECK(article["authors"] == json{"dogacan-basaran"});
  CHECK(article["tags"] == json{"Analiz", "China", "Kazakhstan", "Central Asia", "C+C5"});
  CHECK(article["countries"] == json{"CN", "KZ"});  // the tags that name countries
  CHECK(article["source_url"] == "https://example.org/en/" + kArticle + "/");

  // Each language's text is the seed's first section, its notes the
  // seed's notes, as the classic editor, the block editor's footnotes and
  // an ordered list after "Примечания" hold them.
  const json seed = {{"en", example("seed-article.json")["translations"]["en"]},
                     {"tr", example("seed-translation-tr.json")},
                     {"ru", example("seed-translation-ru.json")}};
  const json modified = {{"en", "2023-06-02"}, {"tr", "2023-05-25"}, {"ru", "2023-05-24"}};
  REQUIRE(article["translations"].size() == 3);
  for (const std::string lang : {"en", "tr", "ru"}) {
    INFO(lang);
    const json& got = article["translations"][lang];
    const json& want = seed[lang];
    CHECK(got["title"] == want["title"]);
    std::string body = want["body"].get<std::string>(), section;
    for (int i = 0, at = 0; i < 7; ++i) {
      std::size_t end = body.find("\n\n", static_cast<std::size_t>(at));
      section += (i ? "\n\n" : "") + body.substr(static_cast<std::size_t>(at), end - static_cast<std::size_t>(at));
      at = static_cast<int>(end + 2);
    }
    CHECK(got["body"] == section);
    REQUIRE(got["footnotes"].size() == 4);
    for (std::size_t i = 0; i < 4; ++i) {
      CHECK(got["footnotes"][i]["n"] == want["footnotes"][i]["n"]);
      CHECK(got["footnotes"][i]["text"] == want["footnotes"][i]["text"]);
    }
    // The parts read from the first note, as the seed has them.
    CHECK(got["footnotes"][0]["publisher"] == "AKI Press");
    CHECK(got["footnotes"][0]["accessed"] == "2023-05-20");
    CHECK(got["modified"] == modified[lang]);
  }

  // The post of its own: its title's entity read, its country from a Turkish tag.
  json own;
  for (const auto& a : articles)
    if (a["id"] == "kirgizistanda-demiryolu-projesi") own = a;
  REQUIRE(own.is_object());
  CHECK(own["original_language"] == "tr");
  CHECK(own["countries"] == json{"KG"});
  CHECK(own["translations"]["tr"]["title"] == "Kırgızistan’da Demiryolu Projesi – Yeni Adım");
  CHECK(own["translations"]["tr"]["body"] ==
        "Çin-Kırgızistan-Özbekistan demiryolu projesinde **yeni bir adım** atıldı.");

  // Searched in each language.
  auto found = test::defter(data, {"search", "Kazakistan", "--lang", "tr"});
  CHECK(found.out.find("Çin-Orta Asya İlişkilerinde Güçlü İşbirliğini Pekiştirme Adımları") != std::string::npos);
  found = test::defter(data, {"search", "Казахстан", "--lang", "ru"});
  CHECK(found.out.find("1 result") != std::string::npos);
  found = test::defter(data, {"search", "railway OR demiryolu", "--country", "KG"});
  CHECK(found.out.find("kirgizistanda-demiryolu-projesi") != std::string::npos);

  // The same export again changes nothing; its run reverted, the archive is empty again.
  const std::string before = test::defter(data, {"export"}).out;
  r = test::defter(data, {"import", "--from", "wxr", wxr()});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("0 added, 0 replaced, 4 unchanged, 0 rejected") != std::string::npos);
  CHECK(test::defter(data, {"export"}).out == before);
  auto reverted = test::defter(data, {"revert", "1"});
  INFO(reverted.err);
  CHECK(reverted.exit_code == 0);
  CHECK(test::defter(data, {"export"}).out.empty());
}

TEST_CASE("a damaged WordPress export is refused by its line, and nothing is half-written",
          "[cli][e2e][documents][wxr]") {
  test::TempDir dir;
  const std::string data = dir.str("data");
  const std::string good = test::read_file(wxr());

  // A post without its date: that post is rejected by its line, the
  // others are imported (here the Turkish version: the article keeps its
  // English original and Russian translation).
  std::string no_date = good;
  const std::string tr_date = "<wp:post_date><![CDATA[2023-05-22 10:30:00]]></wp:post_date>";
  std::size_t at = no_date.find(tr_date);
  REQUIRE(at != std::string::npos);
  no_date.erase(at, tr_date.size());
  test::write_file(dir.path() / "no-date.xml", no_date);
  auto r = test::defter(data, {"import", "--from", "wxr", dir.str("no-date.xml")});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("4 added, 0 replaced, 0 unchanged, 1 rejected") != std::string::npos);
  CHECK(r.err.find("no-date.xml:" + std::to_string(item_line("103")) + ": translation " + kArticle +
                   "/tr: wp:post_date: missing: every post has its date") != std::string::npos);
  auto article = test::defter(data, {"get", kArticle});
  REQUIRE(article.exit_code == 0);
  CHECK(json::parse(article.out)["translations"].size() == 2);
  CHECK_FALSE(json::parse(article.out)["translations"].contains("tr"));

  // --strict: the first rejected post stops the import before anything is written.
  test::TempDir dir2;
  const std::string strict_data = dir2.str("data");
  r = test::defter(strict_data, {"import", "--strict", "--from", "wxr", dir.str("no-date.xml")});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("--strict: stopped at the first rejected record") != std::string::npos);
  auto empty = test::defter(strict_data, {"export"});
  CHECK(empty.out.empty());

  // Cut short: not well-formed, said with its line; nothing is imported.
  const std::string before = test::defter(data, {"export"}).out;
  test::write_file(dir.path() / "cut.xml", good.substr(0, good.size() * 2 / 3));
  r = test::defter(data, {"import", "--from", "wxr", dir.str("cut.xml")});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("cut.xml:") != std::string::npos);
  CHECK(r.err.find(": not well-formed XML: ") != std::string::npos);
  CHECK(r.err.find("nothing was imported") != std::string::npos);
  CHECK(test::defter(data, {"export"}).out == before);

  // XML that is not an export, and a page that is not XML.
  test::write_file(dir.path() / "other.xml", "<?xml version=\"1.0\"?><catalog><book/></catalog>\n");
  r = test::defter(data, {"import", "--from", "wxr", dir.str("other.xml")});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("other.xml: not a WordPress export (WXR)") != std::string::npos);
  r = test::defter(data, {"import", "--from", "wxr",
                          (test::source_dir() / "tests" / "data" / "documents" / "seed-page.html").string()});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("seed-page.html:") != std::string::npos);

  // One export at a time, and the options of documents are not its.
  r = test::defter(data, {"import", "--from", "wxr", wxr(), wxr()});
  CHECK(r.exit_code == 2);
  r = test::defter(data, {"import", "--from", "wxr", wxr(), "--article", "x"});
  CHECK(r.exit_code == 2);
  CHECK(test::defter(data, {"export"}).out == before);
}
