// Documents into records: pandoc reads each file into its tree; the tree's
// footnotes, images and tables are taken out here; what is left is written
// back as CommonMark by pandoc.
#include "defter/archive/documents.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "author_names.hpp"
#include "defter/schema/partial_date.hpp"
#include "defter/schema/text.hpp"
#include "markdown.hpp"
#include "pandoc.hpp"
#include "pandoc_tree.hpp"
#include "web_page.hpp"

namespace defter::archive {

using nlohmann::json;

const std::vector<std::string>& document_formats() {
  static const std::vector<std::string> formats = {"docx", "odt", "html", "md", "csv", "wxr"};
  return formats;
}

namespace {

using namespace pandoc_tree;
using author_names::Authors;

std::string reader_of(const std::string& from) {
  // Front matter and [^n] footnotes; quotes and dashes as typed (no
  // "smart" punctuation), :words: as words.
  if (from == "md") return "commonmark_x-smart-emoji";
  if (from == "docx") return "docx+styles";  // paragraphs' styles kept: captions are known as such
  return from;
}

// A date as the archive keeps it: YYYY, YYYY-MM or YYYY-MM-DD at the start
// of `text` (a time after it, as Word keeps dates, is dropped), a day the
// calendar has (schema::PartialDate); "" if not.
std::string date_of(const std::string& text) {
  std::string date = text.substr(0, text.find_first_of("T "));
  return schema::PartialDate::parse(date) ? date : "";
}

// One file read: its text parts and metadata.
struct Read {
  json meta;
  std::string title, body;
  std::vector<std::string> notes;
  std::vector<int> numbers;  // each note's number, when not 1, 2, 3 ... in order
  std::vector<std::string> dropped;
};

// How a file is read: its format, and for a web page the site profile.
struct Reading {
  std::string from;
  const web::Profile* profile = nullptr;
  std::string profile_name;
};

Result<Read> read_tree_parts(const std::string& file, const Reading& how, bool title_given);

// A Markdown file's body is CommonMark already: kept as written (pandoc's
// tree gave the metadata), without its front matter, its title heading
// and its footnote definitions, whose text pandoc reads.
Result<Read> markdown_parts(const std::string& file, Read r, bool title_was_heading) {
  std::ifstream in(file, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in && !in.eof()) return Status(Code::kIOError, file + ": cannot be read");
  markdown::Parts parts = markdown::split(text);
  if (title_was_heading && parts.body.rfind("# ", 0) == 0) {
    std::size_t end = parts.body.find('\n');
    std::size_t next =
        end == std::string::npos ? std::string::npos : parts.body.find_first_not_of('\n', end);
    parts.body = next == std::string::npos ? "" : parts.body.substr(next);
  }
  r.body = std::move(parts.body);
  if (parts.notes.empty()) return r;
  // Each note one paragraph, read by pandoc as one block.
  std::string notes;
  for (auto& [n, note] : parts.notes) {
    for (char& c : note)
      if (c == '\n') c = ' ';
    notes += note + "\n\n";
    r.numbers.push_back(n);
  }
  auto tree_text = pandoc::read_tree_of_text(notes, reader_of("md"));
  if (!tree_text)
    return Status(tree_text.status().code(),
                  file + ": its footnotes: " + tree_text.status().message());
  json tree = json::parse(*tree_text, nullptr, false);
  const json blocks = tree.is_discarded() ? json::array() : tree.value("blocks", json::array());
  for (std::size_t i = 0; i < parts.notes.size(); ++i)
    r.notes.push_back(blocks.size() == parts.notes.size() ? plain_text(blocks[i])
                                                          : parts.notes[i].second);
  return r;
}

// A tree of a shape other than the one this code reads (another pandoc
// version) is said to be so, not an unexpected error.
Result<Read> read_document(const std::string& file, const Reading& how, bool title_given) {
  try {
    return read_tree_parts(file, how, title_given);
  } catch (const json::exception& e) {
    return Status(Code::kIOError,
                  file + ": pandoc's tree of it is not what defter reads (" + e.what() + ")");
  }
}

// The metadata a site profile found, in the shape of pandoc's.
json meta_of(const web::Page& page) {
  json meta = json::object();
  auto text = [](const std::string& s) { return json{{"t", "MetaString"}, {"c", s}}; };
  if (!page.title.empty()) meta["title"] = text(page.title);
  if (!page.date.empty()) meta["date"] = text(page.date);
  // A page's language as the archive keeps translations: "en-US" is en.
  if (!page.lang.empty()) meta["lang"] = text(page.lang.substr(0, page.lang.find_first_of("-_")));
  if (!page.authors.empty()) {
    json list = json::array();
    for (const auto& a : page.authors) list.push_back(text(a));
    meta["author"] = {{"t", "MetaList"}, {"c", list}};
  }
  return meta;
}

Result<Read> read_tree_parts(const std::string& file, const Reading& how, bool title_given) {
  const std::string& from = how.from;
  std::optional<web::Page> page;
  Result<std::string> tree_text = std::string();
  if (how.profile) {
    auto got = web::read_page(file, *how.profile, how.profile_name);
    if (!got) return got.status();
    page = std::move(*got);
    tree_text = pandoc::read_tree_of_text(page->body_html, "html");
  } else {
    tree_text = pandoc::read_tree(file, reader_of(from), from);
  }
  if (!tree_text)
    return Status(tree_text.status().code(), file + ": " + tree_text.status().message());
  json tree = json::parse(*tree_text, nullptr, false);
  if (tree.is_discarded() || !tree.contains("blocks"))
    return Status(
        Code::kIOError,
        file + ": pandoc's tree of it is not what defter reads (pandoc too old or too new?)");
  Read r;
  r.meta = page ? meta_of(*page) : tree.value("meta", json::object());
  r.title = meta_value(r.meta, "title");
  json& blocks = tree["blocks"];
  // No title in the metadata: a first heading of level 1 is the title.
  bool title_was_heading = false;
  if (r.title.empty() && !title_given && !blocks.empty() && is_node(blocks[0], "Header") &&
      blocks[0]["c"].at(0) == 1) {
    r.title = plain_text(blocks[0]["c"].at(2));
    blocks.erase(blocks.begin());
    title_was_heading = true;
  }
  if (from == "md") return markdown_parts(file, std::move(r), title_was_heading);
  Extracted x;
  extract(blocks, x);
  r.notes = std::move(x.notes);
  for (const auto& d : x.dropped)
    r.dropped.push_back(d + " left out: the archive keeps text, headings, quotes, lists and notes");
  tree["meta"] = json::object();
  auto body = pandoc::commonmark_of(tree.dump());
  if (!body) return Status(body.status().code(), file + ": " + body.status().message());
  r.body = std::move(*body);
  while (!r.body.empty() && (r.body.back() == '\n' || r.body.back() == ' ')) r.body.pop_back();
  if (page) {
    // The page's notes, and its markers as the archive writes them: the
    // text's "[3]" comes back from CommonMark as "\[3\]".
    r.notes = page->footnotes;
    r.numbers = page->numbers;
    for (int n : page->numbers) {
      const std::string escaped = "\\[" + std::to_string(n) + "\\]",
                        marker = "[" + std::to_string(n) + "]";
      r.body = schema::replaced_all(r.body, escaped, marker);
    }
  }
  return r;
}

// The notes as footnotes: number and text (read into their parts at
// import), or with the parts the front matter states for a number
// (`footnotes: [{n, title, publisher, url, accessed}]`, as defter's
// Markdown export writes parts the text does not give).
json footnotes_of(const Read& read) {
  std::map<std::string, json> stated;
  if (read.meta.contains("footnotes") && is_node(read.meta.at("footnotes"), "MetaList"))
    for (const auto& entry : read.meta.at("footnotes").at("c")) {
      if (!is_node(entry, "MetaMap")) continue;
      json parts = json::object();
      for (const auto& [key, value] : entry.at("c").items()) {
        json one = {{"k", value}};
        parts[key] = meta_value(one, "k");
      }
      if (parts.contains("n")) stated[parts["n"].get<std::string>()] = parts;
    }
  json out = json::array();
  for (std::size_t i = 0; i < read.notes.size(); ++i) {
    int n = i < read.numbers.size() ? read.numbers[i] : static_cast<int>(i) + 1;
    json note = {{"n", n}, {"text", read.notes[i]}};
    if (auto it = stated.find(std::to_string(n)); it != stated.end())
      for (const char* key : {"title", "publisher", "url", "accessed"})
        if (it->second.contains(key) && !it->second[key].get<std::string>().empty())
          note[key] = it->second[key];
    out.push_back(std::move(note));
  }
  return out;
}

Result<std::vector<ConvertedInput>> convert_files(Archive& archive,
                                                  const std::vector<std::string>& files,
                                                  const DocumentOptions& o);

}  // namespace

Result<std::vector<ConvertedInput>> convert_documents(Archive& archive,
                                                      const std::vector<std::string>& files,
                                                      const DocumentOptions& options) {
  if (options.from == "wxr")
    return Status(Code::kInvalidArgument, "a WordPress export is imported by import_wxr, streaming");
  if (options.from == "csv") {
    if (!options.article.empty() || !options.langs.empty() || !options.title.empty() ||
        !options.authors.empty() || !options.published.empty() || !options.profile.empty())
      return Status(Code::kInvalidArgument,
                    "--article, --lang, --title, --author and --published are for documents; "
                    "a spreadsheet says everything in its columns");
    return convert_spreadsheets(archive, files);
  }
  try {
    return convert_files(archive, files, options);
  } catch (const json::exception& e) {
    return Status(Code::kIOError,
                  std::string("a document's metadata is not what defter reads (") + e.what() + ")");
  }
}

namespace {

// The files to read: those given, and the Markdown files under a folder
// given (each a record of its own, `standalone`).
struct Unit {
  std::string file;
  bool standalone = false;
};

Result<std::vector<Unit>> units_of(const std::vector<std::string>& paths, const std::string& from) {
  std::vector<Unit> units;
  for (const auto& path : paths) {
    std::error_code ec;
    if (!std::filesystem::is_directory(path, ec)) {
      units.push_back({path, false});
      continue;
    }
    if (from != "md")
      return Status(Code::kInvalidArgument,
                    path + ": a directory: only --from md reads folders (of Markdown files)");
    std::vector<std::string> found;
    for (auto it = std::filesystem::recursive_directory_iterator(path, ec);
         !ec && it != std::filesystem::end(it); it.increment(ec))
      if (it->is_regular_file() && it->path().extension() == ".md")
        found.push_back(it->path().string());
    if (ec) return Status(Code::kIOError, path + ": cannot be read (" + ec.message() + ")");
    if (found.empty())
      return Status(Code::kInvalidArgument, path + ": no Markdown files (*.md) in it");
    std::sort(found.begin(), found.end());
    for (auto& f : found) units.push_back({std::move(f), true});
  }
  return units;
}

// A translation's fields from its document.
json text_of(const Read& read, const std::string& title) {
  json text = {{"title", title}, {"body", read.body}};
  if (!read.notes.empty()) text["footnotes"] = footnotes_of(read);
  for (const char* key : {"subtitle", "translator", "modified"})
    if (auto v = meta_value(read.meta, key); !v.empty()) text[key] = v;
  return text;
}

Result<std::vector<ConvertedInput>> convert_files(Archive& archive,
                                                  const std::vector<std::string>& files,
                                                  const DocumentOptions& o) {
  const auto& formats = document_formats();
  if (std::find(formats.begin(), formats.end(), o.from) == formats.end())
    return Status(Code::kInvalidArgument,
                  "--from " + o.from + ": not a format defter reads (docx, odt, html, md, csv)");
  auto units = units_of(files, o.from);
  if (!units) return units.status();
  if (units->empty()) return Status(Code::kInvalidArgument, "no files to import");
  std::size_t given = static_cast<std::size_t>(
      std::count_if(units->begin(), units->end(), [](const Unit& u) { return !u.standalone; }));
  if (o.langs.size() > given) {
    auto many = [](std::size_t n, const char* one) {
      return std::to_string(n) + " " + one + (n == 1 ? "" : "s");
    };
    return Status(Code::kInvalidArgument, "--lang: " + many(o.langs.size(), "language") + " for " +
                                              many(given, "file") +
                                              " given one by one (one a file, in their order)");
  }
  Reading how{o.from, nullptr, o.profile};
  std::optional<web::Profile> profile;
  if (!o.profile.empty()) {
    if (o.from != "html")
      return Status(Code::kInvalidArgument, "--profile is for web pages (--from html)");
    auto got = web::read_profile(o.profile);
    if (!got) return got.status();
    profile = std::move(*got);
    how.profile = &*profile;
  }
  auto snap = archive.snapshot();
  if (!snap) return snap.status();
  Authors authors(*snap);

  std::vector<ConvertedInput> out;
  std::vector<json> created;  // authors new to the archive, imported first
  std::string group;          // the article the files given one by one make
  std::map<std::string, std::set<std::string>> langs;  // by article
  std::size_t nth_given = 0;
  for (const Unit& u : *units) {
    const std::string& file = u.file;
    bool first_given = !u.standalone && nth_given++ == 0;
    auto read = read_document(file, how, first_given && !o.title.empty());
    if (!read) return read.status();
    ConvertedInput in;
    in.name = file;
    for (const auto& d : read->dropped) in.warnings.push_back({file, 0, "", "", d, true});
    std::string lang = !u.standalone && nth_given - 1 < o.langs.size()
                           ? o.langs[nth_given - 1]
                           : meta_value(read->meta, "lang");
    if (lang.empty())
      return Status(
          Code::kInvalidArgument,
          file + ": no language in the document's metadata: give --lang (one a file, in order)");
    std::string title = read->title.empty() && first_given ? o.title : read->title;
    if (title.empty())
      return Status(Code::kInvalidArgument,
                    file + ": no title in the document's metadata nor a first heading" +
                        std::string(first_given ? ": give --title" : ""));
    json text = text_of(*read, title);

    // Whose translation this is: the front matter's translation_of, else
    // the article of the files given, else its own.
    std::string of = meta_value(read->meta, "translation_of");
    if (of.empty() && !u.standalone && !first_given) of = group;
    std::string id = of;
    if (id.empty()) {
      id = first_given && !o.article.empty() ? o.article : meta_value(read->meta, "id");
      if (id.empty()) id = authors.folder().slug(title);
      if (first_given) group = id;
      // An article the archive has, in another language than its own: the
      // file is its translation, and its own fields are kept.
      if (auto stored = snap->article(id, false); stored && stored->original_language != lang) {
        in.notes.push_back("article '" + id + "' is in the archive, in " +
                           stored->original_language + ": imported as its translation (" + lang +
                           "); its authors and date are kept");
        of = id;
      }
    }
    if (!langs[id].insert(lang).second)
      return Status(Code::kInvalidArgument, file + ": a second file in " + lang + " for article '" +
                                                id + "': one file a language");
    if (!of.empty()) {
      json t = {{"type", "translation"}, {"article", of}, {"lang", lang}};
      t.update(text);
      in.lines = t.dump() + "\n";
      out.push_back(std::move(in));
      continue;
    }
    json article = {{"type", "article"}, {"id", id}, {"original_language", lang}};
    std::string date_text = meta_value(read->meta, "published");
    if (date_text.empty()) date_text = meta_value(read->meta, "date");
    std::string published = date_of(date_text);
    if (published.empty() && !date_text.empty() && o.published.empty())
      return Status(Code::kInvalidArgument,
                    file + ": the document's date '" + date_text +
                        "' is not YYYY, YYYY-MM or YYYY-MM-DD: give --published");
    if (published.empty()) published = o.published;
    if (!published.empty()) article["published"] = published;
    auto names = meta_values(read->meta, "authors");
    if (names.empty()) names = meta_values(read->meta, "author");
    if (names.empty() && first_given) names = o.authors;
    json ids = json::array();
    for (const auto& name : names) ids.push_back(authors.resolve(name, in.notes, created));
    if (!ids.empty()) article["authors"] = ids;
    for (const char* key : {"countries", "not_countries", "tags"})
      if (auto v = meta_values(read->meta, key); !v.empty()) article[key] = v;
    if (auto url = meta_value(read->meta, "source_url"); !url.empty()) article["source_url"] = url;
    article["translations"] = {{lang, text}};
    in.lines = article.dump() + "\n";
    out.push_back(std::move(in));
  }
  std::string new_authors;
  for (const auto& a : created) new_authors += a.dump() + "\n";
  out.front().lines.insert(0, new_authors);
  return out;
}

}  // namespace

}  // namespace defter::archive
