// Documents into the archive (defter import --from): Word and OpenDocument
// files made by pandoc (tests/data/documents/make), Markdown with front
// matter and a web page, each imported end to end with the real binary,
// searched, and read back field by field; and what must fail, failing
// with nothing written.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support.hpp"

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

fs::path documents() { return defter::test::source_dir() / "tests" / "data" / "documents"; }

std::string sample_authors() {
  return (defter::test::source_dir() / "tools" / "sample" / "10-authors.jsonl").string();
}

json get_json(const std::string& data, const std::string& id, const std::string& lang = "") {
  std::vector<std::string> args{"get", id};
  if (!lang.empty()) args.insert(args.end(), {"--lang", lang});
  auto r = defter::test::defter(data, args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return json::parse(r.out);
}

std::string export_all(const std::string& data) {
  auto r = defter::test::defter(data, {"export"});
  REQUIRE(r.exit_code == 0);
  return r.out;
}

}  // namespace

TEST_CASE(
    "a Word document and its OpenDocument translation become one article, footnotes and authors "
    "included",
    "[cli][e2e][documents]") {
  defter::test::TempDir dir;
  const std::string data = dir.str("data");
  REQUIRE(defter::test::defter(data, {"import", sample_authors()}).exit_code == 0);
  const std::string docx = (documents() / "analysis.en.docx").string();

  // A dry run converts and counts, and writes nothing.
  // Word keeps no language that pandoc reads back: --lang says it.
  auto dry =
      defter::test::defter(data, {"import", "--dry-run", "--from", "docx", docx, "--lang", "en"});
  INFO(dry.err);
  CHECK(dry.exit_code == 0);
  CHECK(dry.out.find("dry run, would be: 2 added") !=
        std::string::npos);  // the article and one new author
  CHECK_FALSE(defter::test::defter(
                  data, {"get", "steps-to-consolidate-cooperation-in-china-central-asia-relations"})
                  .exit_code == 0);

  auto r = defter::test::defter(data, {"import", "--from", "docx", docx, "--lang", "en"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("2 added, 0 replaced, 0 unchanged, 0 rejected, 2 warnings") !=
        std::string::npos);
  // What was decided about each author, and what was left out.
  CHECK(r.err.find("author 'Doğacan BAŞARAN' is 'dogacan-basaran', already in the archive") !=
        std::string::npos);
  CHECK(r.err.find("author 'Irina Sokolova' is 'irina-sokolova', already in the archive") !=
        std::string::npos);  // Ирина Соколова
  CHECK(r.err.find("author 'Marat Sultanov' is new: created as 'marat-sultanov'") !=
        std::string::npos);
  CHECK(r.err.find("analysis.en.docx: warning: image 'A map of Central Asia' (media/rId") !=
        std::string::npos);
  CHECK(r.err.find("analysis.en.docx: warning: table 1 ('Trade with China') left out") !=
        std::string::npos);

  const std::string id = "steps-to-consolidate-cooperation-in-china-central-asia-relations";
  json a = get_json(data, id);
  CHECK(a["published"] == "2023-05-20");
  CHECK(a["original_language"] == "en");
  CHECK(a["authors"] == json({"dogacan-basaran", "irina-sokolova", "marat-sultanov"}));
  const json& en = a["translations"]["en"];
  CHECK(en["title"] == "Steps to Consolidate Cooperation in China–Central Asia Relations");
  const std::string body = en["body"];
  // Headings, quotes and lists kept; a marker where each note stood; no image, no table.
  CHECK(body.rfind("# Background\n\nChina is described", 0) == 0);
  CHECK(body.find("in the global power struggle.[1] The next summit will be hosted by *Kazakhstan* "
                  "in 2025.[2]") != std::string::npos);
  CHECK(body.find("> Win-win relations, not blocs.") != std::string::npos);
  CHECK(body.find("-   energy and transport corridors;") != std::string::npos);
  CHECK(body.find("## Outlook") != std::string::npos);
  CHECK(body.find("follow the same path.[3]") != std::string::npos);
  CHECK(body.find("map") == std::string::npos);  // nor their captions
  CHECK(body.find("Trade with China") == std::string::npos);
  CHECK(body.find("31") == std::string::npos);
  CHECK(body.find("<") == std::string::npos);
  // The notes, numbered in order, read into their parts at import.
  const json& notes = en["footnotes"];
  REQUIRE(notes.size() == 3);
  CHECK(notes[0]["n"] == 1);
  CHECK(notes[0]["text"] ==
        "“Kazakhstan to host next China-Central Asia Summit in 2025”, AKI Press, "
        "https://akipress.com/news:1, "
        "(Date of Accession: 20.05.2023).");
  CHECK(notes[0]["title"] == "Kazakhstan to host next China-Central Asia Summit in 2025");
  CHECK(notes[0]["accessed"] == "2023-05-20");
  CHECK(notes[0]["url"] == "https://akipress.com/news:1");
  CHECK(notes[1]["text"] ==
        "Second note, with the ministry’s statement https://example.org/statement.");
  CHECK(notes[2]["n"] == 3);
  // The new author is a record of its own.
  CHECK(get_json(data, "marat-sultanov")["name"] == "Marat Sultanov");

  // The Turkish translation: its title is its first heading; --article
  // names an article the archive has, whose own fields stay.
  auto tr = defter::test::defter(
      data, {"import", "--from", "odt", (documents() / "analysis.tr.odt").string(), "--article", id,
             "--lang", "tr"});
  INFO(tr.err);
  REQUIRE(tr.exit_code == 0);
  CHECK(tr.out.find("1 added, 0 replaced, 0 unchanged, 0 rejected") != std::string::npos);
  CHECK(tr.err.find("article '" + id +
                    "' is in the archive, in en: imported as its translation (tr)") !=
        std::string::npos);
  json both = get_json(data, id);
  CHECK(both["authors"].size() == 3);
  CHECK(both["original_language"] == "en");
  const json& t = both["translations"]["tr"];
  CHECK(t["title"] == "Çin–Orta Asya İlişkilerinde Güçlü İşbirliğini Pekiştirme Adımları");
  CHECK(std::string(t["body"]).rfind("Çin, küresel güç mücadelesinde", 0) == 0);
  CHECK(t["footnotes"].size() == 1);
  CHECK(t["footnotes"][0]["accessed"] == "2023-05-20");

  // Searched in both languages, with the author filter.
  auto s = defter::test::defter(data, {"search", "hegemonic", "--json"});
  REQUIRE(s.exit_code == 0);
  CHECK(json::parse(s.out)["total"] == 1);
  s = defter::test::defter(data, {"search", "küresel", "--author", "marat-sultanov", "--json"});
  REQUIRE(s.exit_code == 0);
  CHECK(json::parse(s.out)["hits"][0]["lang"] == "tr");

  // The same files again change nothing.
  auto again = defter::test::defter(data, {"import", "-v", "--from", "docx", docx, "--lang", "en"});
  INFO(again.err);
  CHECK(again.out.find("0 added, 0 replaced, 1 unchanged") != std::string::npos);
  CHECK(again.err.find("is new: created") == std::string::npos);
  CHECK(again.err.find("committed batch 1: 1 record (" + docx + ")\n") !=
        std::string::npos);  // a file, no lines
}

TEST_CASE("Markdown with front matter and a web page are imported with their metadata",
          "[cli][e2e][documents]") {
  defter::test::TempDir dir;
  const std::string data = dir.str("data");
  REQUIRE(defter::test::defter(data, {"import", sample_authors()}).exit_code == 0);
  defter::test::write_file(dir.path() / "water.md",
                           "---\n"
                           "id: water-in-central-asia\n"
                           "lang: ru\n"
                           "title: Водные ресурсы Центральной Азии\n"
                           "date: 2024-03\n"
                           "author: aliya-seitkali\n"
                           "countries: [KZ, UZ]\n"
                           "tags:\n- water\n- Central Asia\n"
                           "---\n\n"
                           "Вода остаётся главным вопросом региона.[^1]\n\n"
                           "[^1]: «Водная повестка», ТАСС, (Дата обращения: 02.03.2024).\n");
  auto r = defter::test::defter(data, {"import", "--from", "md", dir.str("water.md")});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  json a = get_json(data, "water-in-central-asia");
  CHECK(a["published"] == "2024-03");
  CHECK(a["authors"] == json({"aliya-seitkali"}));
  CHECK(a["countries"] == json({"KZ", "UZ"}));
  CHECK(a["tags"] == json({"water", "Central Asia"}));
  CHECK(a["translations"]["ru"]["body"] == "Вода остаётся главным вопросом региона.[1]");
  CHECK(a["translations"]["ru"]["footnotes"][0]["accessed"] == "2024-03-02");

  // Front matter after a byte order mark, as some editors save.
  defter::test::write_file(
      dir.path() / "bom.md",
      "\xEF\xBB\xBF---\nid: bom-note\nlang: en\ntitle: Marked\n---\n\nText.\n");
  r = defter::test::defter(data, {"import", "--from", "md", dir.str("bom.md")});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(get_json(data, "bom-note")["translations"]["en"]["body"] == "Text.");

  // A page saved from a browser: its <title>, and the options for the rest.
  defter::test::write_file(
      dir.path() / "page.html",
      "<!DOCTYPE html><html><head><title>Energy corridors</title></head><body>"
      "<h2>Summary</h2><p>Pipelines across <b>Turkmenistan</b> grow.</p></body></html>");
  r = defter::test::defter(data, {"import", "--from", "html", dir.str("page.html"), "--lang", "en",
                                  "--article", "energy-corridors", "--author", "Wang Li",
                                  "--author", "mehmet-yildirim", "--published", "2022"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  a = get_json(data, "energy-corridors");
  CHECK(a["translations"]["en"]["title"] == "Energy corridors");
  CHECK(a["translations"]["en"]["body"] == "## Summary\n\nPipelines across **Turkmenistan** grow.");
  CHECK(a["authors"] ==
        json({"wang-li", "mehmet-yildirim"}));  // 王丽 by her name's Latin letters; an id as it is
  CHECK(a["published"] == "2022");
}

TEST_CASE(
    "a document that cannot be read, or lacks what an article needs, is refused by its file and "
    "nothing is written",
    "[cli][e2e][documents]") {
  defter::test::TempDir dir;
  const std::string data = dir.str("data");
  REQUIRE(defter::test::defter(data, {"import", sample_authors()}).exit_code == 0);
  const std::string before = export_all(data);

  // A Word file that is not one (cut short), among good files: nothing is imported.
  std::string docx = defter::test::read_file(documents() / "analysis.en.docx");
  defter::test::write_file(dir.path() / "broken.docx", docx.substr(0, docx.size() / 2));
  auto r = defter::test::defter(
      data, {"import", "--from", "docx", (documents() / "analysis.en.docx").string(),
             dir.str("broken.docx"), "--lang", "en", "--lang", "tr"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find(dir.str("broken.docx") + ": not a readable docx document (pandoc: ") !=
        std::string::npos);
  CHECK(r.err.find("nothing was imported") != std::string::npos);

  // Front matter that is not YAML: pandoc's reason, with its place.
  defter::test::write_file(dir.path() / "bad.md",
                           "---\ntitle: [unclosed\nlang: en\n---\n\nText.\n");
  r = defter::test::defter(data, {"import", "--from", "md", dir.str("bad.md")});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("bad.md: not a readable md document (pandoc: ") != std::string::npos);

  // No title anywhere, no language, a date that is not one.
  defter::test::write_file(dir.path() / "untitled.md", "---\nlang: en\n---\n\nJust text.\n");
  r = defter::test::defter(data, {"import", "--from", "md", dir.str("untitled.md")});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find(
            "untitled.md: no title in the document's metadata nor a first heading: give --title") !=
        std::string::npos);
  defter::test::write_file(dir.path() / "nolang.md", "# A title\n\nText.\n");
  r = defter::test::defter(data, {"import", "--from", "md", dir.str("nolang.md")});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("nolang.md: no language in the document's metadata: give --lang") !=
        std::string::npos);
  defter::test::write_file(dir.path() / "baddate.md",
                           "---\nlang: en\ndate: May 2023\n---\n\n# A title\n\nText.\n");
  r = defter::test::defter(data, {"import", "--from", "md", dir.str("baddate.md")});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("baddate.md: the document's date 'May 2023' is not YYYY, YYYY-MM or YYYY-MM-DD: "
                   "give --published") != std::string::npos);
  // Nor is a day the calendar does not have.
  defter::test::write_file(dir.path() / "feb30.md",
                           "---\nlang: en\ndate: 2023-02-30\n---\n\n# A title\n\nText.\n");
  r = defter::test::defter(data, {"import", "--from", "md", dir.str("feb30.md")});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("feb30.md: the document's date '2023-02-30' is not YYYY") != std::string::npos);

  // A record the schema refuses is rejected by its file, as any import's.
  defter::test::write_file(dir.path() / "badlang.md",
                           "---\nlang: english\n---\n\n# A title\n\nText.\n");
  r = defter::test::defter(data, {"import", "--from", "md", dir.str("badlang.md")});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("badlang.md: article a-title: ") != std::string::npos);

  // Options for documents without --from are a mistake, said before anything is read.
  r = defter::test::defter(data, {"import", sample_authors(), "--lang", "en"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("are for documents (--from FORMAT)") != std::string::npos);
  r = defter::test::defter(data, {"import", "--from", "pdf", sample_authors()});
  CHECK(r.exit_code == 2);

  CHECK(export_all(data) == before);
}

TEST_CASE(
    "the archive exported as a Markdown folder imports back unchanged, and into a new archive the "
    "same",
    "[cli][e2e][documents]") {
  defter::test::TempDir dir;
  const std::string data = dir.str("data");
  const auto sample = defter::test::source_dir() / "tools" / "sample";
  std::vector<std::string> import{"import"};
  for (const char* f :
       {"10-authors.jsonl", "20-articles.jsonl", "30-translations.jsonl", "40-manual-page.jsonl"})
    import.push_back((sample / f).string());
  REQUIRE(defter::test::defter(data, import).exit_code == 0);

  const std::string md = dir.str("md");
  auto r = defter::test::defter(data, {"export", "--format", "md", md});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "21 files written to " + md + "\n");  // one a translation
  std::string tr =
      defter::test::read_file(fs::path(md) / "china-central-asia-c5-summit-2023.tr.md");
  CHECK(tr.rfind("---\ntranslation_of: \"china-central-asia-c5-summit-2023\"\nlang: \"tr\"\n", 0) ==
        0);
  CHECK(tr.find("ev sahipliği yapacağının açıklanması,[^1] Pekin") != std::string::npos);
  CHECK(tr.find("\n[^1]: “Kazakhstan to host next China-Central Asia Summit in 2025”") !=
        std::string::npos);
  std::string en = defter::test::read_file(fs::path(md) / "china-central-asia-c5-summit-2023.md");
  CHECK(en.find("\nauthors: [\"dogacan-basaran\"]\n") != std::string::npos);
  CHECK(en.find("\npublished: \"2023-05\"\n") != std::string::npos);
  // A note whose parts its text does not give (a publisher in English for
  // a Chinese note) has them in the front matter.
  std::string zh = defter::test::read_file(fs::path(md) / "digital-silk-road-central-asia.md");
  CHECK(zh.find("footnotes:\n- n: 2\n  title: \"中亚电子商务发展报告\"\n  publisher: \"China "
                "Daily\"\n") != std::string::npos);

  // Back into the same archive: nothing changes.
  r = defter::test::defter(data, {"import", "--from", "md", md});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("0 added, 0 replaced, 21 unchanged, 0 rejected (") != std::string::npos);
  CHECK(r.err.empty());

  // Into an archive with the authors alone: the same articles, field by field.
  const std::string fresh = dir.str("fresh");
  REQUIRE(
      defter::test::defter(fresh, {"import", (sample / "10-authors.jsonl").string()}).exit_code ==
      0);
  r = defter::test::defter(fresh, {"import", "--from", "md", md});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("21 added, 0 replaced, 0 unchanged, 0 rejected") != std::string::npos);
  auto articles = [](const std::string& d) {
    auto e = defter::test::defter(d, {"export", "--type", "article"});
    REQUIRE(e.exit_code == 0);
    return e.out;
  };
  CHECK(articles(fresh) == articles(data));

  // A new directory only; a translation of an article nobody has is rejected by its file.
  r = defter::test::defter(data, {"export", "--format", "md", md});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(md + ": already exists") != std::string::npos);
  fs::create_directories(dir.path() / "more");
  defter::test::write_file(
      dir.path() / "more" / "orphan.tr.md",
      "---\ntranslation_of: no-such-article\nlang: tr\ntitle: Yetim\n---\n\nMetin.\n");
  r = defter::test::defter(data, {"import", "--from", "md", dir.str("more")});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find(dir.str("more") + "/orphan.tr.md: translation no-such-article/tr: article: "
                                     "unknown article 'no-such-article'") != std::string::npos);
}

TEST_CASE("spreadsheets of authors and of articles' metadata, as a spreadsheet saves them",
          "[cli][e2e][documents]") {
  defter::test::TempDir dir;
  const std::string data = dir.str("data");
  const auto sample = defter::test::source_dir() / "tools" / "sample";
  REQUIRE(defter::test::defter(data, {"import", (sample / "10-authors.jsonl").string(),
                                      (sample / "20-articles.jsonl").string()})
              .exit_code == 0);
  // Authors: a byte order mark, CRLF, a quoted cell with the separator, a
  // quote and a line break; topics as a list; a new author and a changed one.
  defter::test::write_file(dir.path() / "authors.csv",
                           "\xEF\xBB\xBFid,name,affiliation,topics,bio_en\r\n"
                           "marat-sultanov,Marat Sultanov,\"Institute \"\"Eurasia\"\", "
                           "Almaty\",energy; water,\"Marat Sultanov "
                           "studies energy.\r\nHe writes on water.\"\r\n"
                           "aliya-seitkali,,Nazarbayev University,,\r\n");
  auto r = defter::test::defter(data, {"import", "--from", "csv", dir.str("authors.csv")});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("1 added, 1 replaced, 0 unchanged, 0 rejected") != std::string::npos);
  json marat = get_json(data, "marat-sultanov");
  CHECK(marat["affiliation"] == "Institute \"Eurasia\", Almaty");
  CHECK(marat["topics"] == json({"energy", "water"}));
  CHECK(marat["bio"]["en"] == "Marat Sultanov studies energy.\r\nHe writes on water.");
  json aliya = get_json(data, "aliya-seitkali");
  CHECK(aliya["affiliation"] == "Nazarbayev University");
  CHECK(aliya["name"] == "Aliya Seitkali");  // an empty cell leaves the field as it was

  // Articles' metadata, saved with ';' (as Turkish and Russian settings do): lists by ','.
  defter::test::write_file(dir.path() / "articles.csv",
                           "id;countries;tags;title_en\n"
                           "china-central-asia-c5-summit-2023;CN,KZ,UZ;China,C+C5;Steps to "
                           "Consolidate Strong Cooperation\n");
  r = defter::test::defter(data, {"import", "--from", "csv", dir.str("articles.csv")});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("0 added, 1 replaced") != std::string::npos);
  json a = get_json(data, "china-central-asia-c5-summit-2023");
  CHECK(a["countries"] == json({"CN", "KZ", "UZ"}));
  CHECK(a["tags"] == json({"China", "C+C5"}));
  CHECK(a["translations"]["en"]["title"] == "Steps to Consolidate Strong Cooperation");
  CHECK(std::string(a["translations"]["en"]["body"]).rfind("China is described", 0) ==
        0);  // the text kept
  CHECK(defter::test::defter(data, {"search", "--country", "UZ", "--json"})
            .out.find("china-central-asia-c5-summit-2023") != std::string::npos);
  // Again: nothing changes.
  r = defter::test::defter(data, {"import", "--from", "csv", dir.str("articles.csv")});
  CHECK(r.out.find("0 added, 0 replaced, 1 unchanged") != std::string::npos);

  // What is refused, by file, line and column, and nothing is written.
  const std::string before = export_all(data);
  defter::test::write_file(dir.path() / "typo.csv", "id,nmae\nx,X\n");
  r = defter::test::defter(data, {"import", "--from", "csv", dir.str("typo.csv")});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find(
            "typo.csv:1: column 2: 'nmae' is not a column of articles (did you mean 'name'?)") !=
        std::string::npos);
  defter::test::write_file(dir.path() / "open.csv", "id,name\na,\"Unclosed\nb,B\n");
  r = defter::test::defter(data, {"import", "--from", "csv", dir.str("open.csv")});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("open.csv:2: a quoted cell is never closed") != std::string::npos);
  defter::test::write_file(dir.path() / "wide.csv", "id,name\na,A,extra\n");
  r = defter::test::defter(data, {"import", "--from", "csv", dir.str("wide.csv")});
  CHECK(r.err.find("wide.csv:2: 3 cells, and the header names 2") != std::string::npos);
  defter::test::write_file(dir.path() / "new.csv", "id,published\nno-such-article,2024\n");
  r = defter::test::defter(data, {"import", "--from", "csv", dir.str("new.csv")});
  CHECK(r.err.find("new.csv:2: article 'no-such-article' is not in the archive") !=
        std::string::npos);
  // A value the schema refuses: rejected by file, line and field.
  defter::test::write_file(dir.path() / "bad.csv",
                           "id,name,honorific\nmarat-sultanov,Marat Sultanov,\nbad id,Someone,\n");
  r = defter::test::defter(data, {"import", "--from", "csv", dir.str("bad.csv")});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("bad.csv:3: author bad id: id: ") != std::string::npos);
  CHECK(export_all(data) == before);
}

TEST_CASE(
    "the seed page, saved as HTML and read by the site profile, is the seed article field by field",
    "[cli][e2e][documents]") {
  defter::test::TempDir dir;
  const std::string data = dir.str("data");
  REQUIRE(defter::test::defter(data, {"import", sample_authors()}).exit_code == 0);
  const std::string profile =
      (defter::test::source_dir() / "tools" / "sample" / "site-profile.json").string();
  const std::string page = (documents() / "seed-page.html").string();
  // The page shows no date (the seed's text has none): given as an option.
  auto r = defter::test::defter(
      data, {"import", "--from", "html", "--profile", profile, page, "--article",
             "china-central-asia-c5-summit-2023", "--published", "2023-05"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("author 'Dr. Doğacan BAŞARAN' is 'dogacan-basaran', already in the archive") !=
        std::string::npos);
  json got = get_json(data, "china-central-asia-c5-summit-2023");
  json want = json::parse(defter::test::read_file(defter::test::source_dir() / "schema" /
                                                  "examples" / "seed-article.json"));
  for (const char* field : {"id", "published", "authors", "original_language"}) {
    INFO(field);
    CHECK(got[field] == want[field]);
  }
  // The differences, each the page's own: it shows no tags; its notes read
  // ",," where the example has ","; its text keeps a no-break space the
  // example dropped.
  CHECK_FALSE(got.contains("tags"));
  const json& g = got["translations"]["en"];
  const json& w = want["translations"]["en"];
  CHECK(g["title"] == w["title"]);
  std::string body = g["body"];
  for (const char* nbsp : {" \xC2\xA0", "\xC2\xA0 "})
    for (std::size_t at; (at = body.find(nbsp)) != std::string::npos;) body.replace(at, 3, " ");
  CHECK(body == w["body"]);
  CHECK(body.find("Similar Posts") == std::string::npos);
  CHECK(body.find("also available in") == std::string::npos);
  REQUIRE(g["footnotes"].size() == w["footnotes"].size());
  for (std::size_t i = 0; i < w["footnotes"].size(); ++i) {
    json a = g["footnotes"][i], b = w["footnotes"][i];
    std::string text = a["text"];
    for (std::size_t at; (at = text.find(",,")) != std::string::npos;) text.erase(at, 1);
    a["text"] = text;
    INFO("footnote " << i + 1);
    CHECK(a == b);
  }

  // A page that does not name its encoding is read as UTF-8.
  defter::test::write_file(dir.path() / "bare.html",
                           "<html lang=\"tr\"><body><h1>Çin–Orta Asya İlişkileri</h1><p>Güçlü "
                           "işbirliği.</p></body></html>");
  defter::test::write_file(dir.path() / "bare.json",
                           R"({"title": "//h1", "body": "//p", "lang": "/html/@lang"})");
  r = defter::test::defter(data, {"import", "--from", "html", "--profile", dir.str("bare.json"),
                                  dir.str("bare.html"), "--article", "bare-page"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  json bare = get_json(data, "bare-page");
  CHECK(bare["translations"]["tr"]["title"] == "Çin–Orta Asya İlişkileri");
  CHECK(bare["translations"]["tr"]["body"] == "Güçlü işbirliği.");

  // A profile that cannot be used says why, naming itself and the key.
  defter::test::write_file(dir.path() / "bad-xpath.json",
                           R"({"body": "//div[@class=", "title": "//h1"})");
  r = defter::test::defter(
      data, {"import", "--from", "html", "--profile", dir.str("bad-xpath.json"), page});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("bad-xpath.json: body: '//div[@class=' is not an XPath expression") !=
        std::string::npos);
  defter::test::write_file(dir.path() / "no-body.json", R"({"title": "//h1", "bdoy": "//main"})");
  r = defter::test::defter(
      data, {"import", "--from", "html", "--profile", dir.str("no-body.json"), page});
  CHECK(r.err.find("no-body.json: 'bdoy' is not a profile key") != std::string::npos);
  defter::test::write_file(dir.path() / "other-site.json",
                           R"({"body": "//main[@id='content']", "lang": "/html/@lang"})");
  r = defter::test::defter(
      data, {"import", "--from", "html", "--profile", dir.str("other-site.json"), page});
  CHECK(r.err.find("seed-page.html: the profile's body ('//main[@id='content']', ") !=
        std::string::npos);
  CHECK(r.err.find(") finds nothing in this page") != std::string::npos);
  r = defter::test::defter(data, {"import", "--from", "md", "--profile", profile, page});
  CHECK(r.err.find("--profile is for web pages (--from html)") != std::string::npos);
}
