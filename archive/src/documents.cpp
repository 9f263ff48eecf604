// Documents into records: pandoc reads each file into its tree; the tree's
// footnotes, images and tables are taken out here; what is left is written
// back as CommonMark by pandoc.
#include "defter/archive/documents.hpp"

#include <unicode/translit.h>
#include <unicode/unistr.h>

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

#include "defter/schema/text.hpp"
#include "markdown.hpp"
#include "pandoc.hpp"
#include "web_page.hpp"

namespace defter::archive {

using nlohmann::json;

const std::vector<std::string>& document_formats() {
  static const std::vector<std::string> formats = {"docx", "odt", "html", "md", "csv"};
  return formats;
}

namespace {

std::string reader_of(const std::string& from) {
  // Front matter and [^n] footnotes; quotes and dashes as typed (no
  // "smart" punctuation), :words: as words.
  if (from == "md") return "commonmark_x-smart-emoji";
  if (from == "docx") return "docx+styles";  // paragraphs' styles kept: captions are known as such
  return from;
}

bool is_node(const json& v, const char* type) {
  return v.is_object() && v.contains("t") && v.at("t") == type;
}

bool is_block(const json& v) {
  static const std::set<std::string> blocks = {
      "Para",        "Plain", "Header",    "BlockQuote", "BulletList",
      "OrderedList", "Div",   "LineBlock", "CodeBlock",  "DefinitionList"};
  return v.is_object() && v.contains("t") && v.at("t").is_string() &&
         blocks.count(v.at("t").get<std::string>());
}

// A tree's text as one line: words, quotes and links (text, then the
// address when it is not the text); no notes, images or raw markup.
void plain(const json& v, std::string& out) {
  if (v.is_array()) {
    for (const auto& e : v) {
      if (is_block(e) && !out.empty()) out += ' ';
      plain(e, out);
    }
    return;
  }
  if (!v.is_object() || !v.contains("t")) return;
  const std::string t = v.at("t").get<std::string>();
  static const json none;
  const json& c = v.contains("c") ? v.at("c") : none;
  if (t == "Str")
    out += c.get<std::string>();
  else if (t == "Space" || t == "SoftBreak" || t == "LineBreak")
    out += ' ';
  else if (t == "Code" || t == "Math")
    out += c.at(1).get<std::string>();
  else if (t == "Quoted") {
    bool single = is_node(c.at(0), "SingleQuote");
    out += single ? "\u2018" : "\u201c";
    plain(c.at(1), out);
    out += single ? "\u2019" : "\u201d";
  } else if (t == "Link") {
    std::string text;
    plain(c.at(1), text);
    std::string url = c.at(2).at(0).get<std::string>();
    out += text;
    if (!url.empty() && url[0] != '#' && url != text && url != "mailto:" + text)
      out += (text.empty() ? "" : " ") + url;
  } else if (t == "Image" || t == "Note" || t == "RawInline" || t == "RawBlock") {
  } else if (t == "CodeBlock")
    out += c.at(1).get<std::string>();
  else if (t == "Header")
    plain(c.at(2), out);
  else if (t == "Cite")
    plain(c.at(1), out);
  else if (t == "Span" || t == "Div")
    plain(c.at(1), out);
  else if (t == "OrderedList")
    plain(c.at(1), out);
  else
    plain(c, out);
}

std::string plain_text(const json& v) {
  std::string raw, out;
  plain(v, raw);
  for (char ch : raw) {
    bool space = ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : ch;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// What a file's tree holds once its notes, images and tables are out.
struct Extracted {
  std::vector<std::string> notes;
  std::vector<std::string> dropped;  // "image 'A map' (map.png)", "table 1 ('Trade')"
  int tables = 0;
};

// A paragraph Word styles as a caption (docx+styles wraps it in a Div
// with its custom-style).
bool is_caption(const json& v) {
  if (!is_node(v, "Div")) return false;
  for (const auto& kv : v.at("c").at(0).at(2))
    if (kv.at(0) == "custom-style") {
      std::string style = kv.at(1).get<std::string>();
      return style == "Caption" || style == "Image Caption" || style == "Table Caption";
    }
  return false;
}

// Takes the notes, images and tables out of `v` (a tree's blocks or any
// part of them), each note replaced by its marker [n].
void extract(json& v, Extracted& x) {
  if (v.is_object()) {
    if (v.contains("c")) extract(v["c"], x);
    return;
  }
  if (!v.is_array()) return;
  json kept = json::array();
  for (auto& e : v) {
    if (is_node(e, "Note")) {
      x.notes.push_back(plain_text(e["c"]));
      kept.push_back(
          {{"t", "RawInline"}, {"c", {"commonmark", "[" + std::to_string(x.notes.size()) + "]"}}});
      continue;
    }
    if (is_node(e, "Image")) {
      std::string alt = plain_text(e["c"].at(1));
      std::string src = e["c"].at(2).at(0).get<std::string>();
      x.dropped.push_back("image " + (alt.empty() ? "" : "'" + alt + "' ") + "(" + src + ")");
      continue;
    }
    if (is_node(e, "Table")) {
      // Caption: [short caption, blocks].
      const json& c = e["c"].size() > 1 ? e["c"][1] : json();
      std::string caption = c.is_array() && c.size() > 1 ? plain_text(c[1]) : "";
      x.dropped.push_back("table " + std::to_string(++x.tables) +
                          (caption.empty() ? "" : " ('" + caption + "')"));
      continue;
    }
    if (is_caption(e)) continue;  // of an image or a table, left out with it
    extract(e, x);
    kept.push_back(std::move(e));
  }
  v = std::move(kept);
}

// A metadata value as text, or each of a list's values.
std::vector<std::string> meta_values(const json& meta, const char* key) {
  std::vector<std::string> out;
  if (!meta.contains(key)) return out;
  const json& m = meta.at(key);
  auto one = [&](const json& v) {
    if (is_node(v, "MetaString")) return v.at("c").get<std::string>();
    if (is_node(v, "MetaMap") && v.at("c").contains("name"))
      return plain_text(v.at("c").at("name").value("c", json()));
    if (is_node(v, "MetaBool")) return std::string(v.at("c").get<bool>() ? "true" : "false");
    return plain_text(v.contains("c") ? v.at("c") : json());
  };
  if (is_node(m, "MetaList")) {
    for (const auto& v : m.at("c"))
      if (auto s = one(v); !s.empty()) out.push_back(s);
  } else if (auto s = one(m); !s.empty()) {
    out.push_back(s);
  }
  return out;
}

std::string meta_value(const json& meta, const char* key) {
  auto v = meta_values(meta, key);
  return v.empty() ? "" : v[0];
}

// A date as the archive keeps it: YYYY, YYYY-MM or YYYY-MM-DD at the start
// of `text` (a time after it, as Word keeps dates, is dropped); "" if not.
std::string date_of(const std::string& text) {
  auto digits = [&](std::size_t at, std::size_t n) {
    if (text.size() < at + n) return false;
    for (std::size_t i = at; i < at + n; ++i)
      if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
    return true;
  };
  if (!digits(0, 4)) return "";
  std::size_t len = 4;
  if (text.size() > 4 && text[4] == '-' && digits(5, 2)) {
    len = 7;
    if (text.size() > 7 && text[7] == '-' && digits(8, 2)) len = 10;
  }
  if (text.size() > len && text[len] != 'T' && text[len] != ' ') return "";
  return text.substr(0, len);
}

// Names compared across scripts and accents: "Başaran", "BAŞARAN" and
// "Башаран" all read "basaran".
class NameFolder {
 public:
  NameFolder() {
    UErrorCode status = U_ZERO_ERROR;
    t_.reset(icu::Transliterator::createInstance("Any-Latin; Latin-ASCII; Lower", UTRANS_FORWARD,
                                                 status));
    if (U_FAILURE(status)) t_.reset();
  }
  std::string fold(const std::string& name) const {
    std::string folded;
    if (t_) {
      icu::UnicodeString u = icu::UnicodeString::fromUTF8(name);
      t_->transliterate(u);
      u.toUTF8String(folded);
    } else {
      folded = name;
    }
    std::string out;
    for (char c : folded) {
      if (std::isalnum(static_cast<unsigned char>(c)))
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      else if (!out.empty() && out.back() != ' ')
        out += ' ';
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
  }
  // An id made of a name: "Doğacan Başaran" -> "dogacan-basaran".
  std::string slug(const std::string& name) const {
    std::string s = fold(name);
    for (char& c : s)
      if (c == ' ') c = '-';
    return s;
  }

 private:
  std::unique_ptr<icu::Transliterator> t_;
};

// The archive's authors by id and by folded name, and those this
// conversion adds.
class Authors {
 public:
  explicit Authors(const Snapshot& snap) {
    for (const auto& id : snap.author_ids()) {
      ids_.insert(id);
      if (auto a = snap.author(id)) by_name_.emplace(folder_.fold(a->name), id);
    }
  }

  // The id for `name` (a name or an id), and what was decided; a new
  // author's record is added to `created`.
  std::string resolve(const std::string& written, std::vector<std::string>& notes,
                      std::vector<json>& created) {
    if (ids_.count(written) && !new_ids_.count(written)) return written;
    // "Dr. Doğacan BAŞARAN" is the archive's "Doğacan Başaran" (honorific "Dr.").
    auto [honorific, name] = split_honorific(written);
    std::string folded = folder_.fold(name);
    if (auto it = by_name_.find(folded); it != by_name_.end()) {
      if (!new_ids_.count(it->second))
        notes.push_back("author '" + written + "' is '" + it->second + "', already in the archive");
      return it->second;
    }
    std::string base = folder_.slug(name), id = base;
    for (int n = 2; id.empty() || ids_.count(id); ++n)
      id = (base.empty() ? "author" : base) + "-" + std::to_string(n);
    ids_.insert(id);
    new_ids_.insert(id);
    by_name_.emplace(folded, id);
    json author = {{"type", "author"}, {"id", id}, {"name", name}};
    if (!honorific.empty()) author["honorific"] = honorific;
    created.push_back(std::move(author));
    notes.push_back("author '" + written + "' is new: created as '" + id + "'");
    return id;
  }

  // A leading academic title and the name after it: "Prof. Dr. Ayşe Kaya"
  // is ("Prof. Dr.", "Ayşe Kaya").
  static std::pair<std::string, std::string> split_honorific(const std::string& written) {
    static const std::vector<std::string> titles = {"Prof.",   "Doç.",  "Dr.",   "Assoc.", "Asst.",
                                                    "Assist.", "Dr",    "Prof",  "Doç",    "Öğr.",
                                                    "Gör.",    "Üyesi", "проф.", "д-р"};
    std::string rest = written, honorific;
    for (bool found = true; found;) {
      found = false;
      for (const auto& t : titles)
        if (rest.size() > t.size() + 1 && rest.compare(0, t.size(), t) == 0 &&
            rest[t.size()] == ' ') {
          honorific += (honorific.empty() ? "" : " ") + t;
          rest = rest.substr(t.size() + 1);
          found = true;
          break;
        }
    }
    return {honorific, rest};
  }

  const NameFolder& folder() const { return folder_; }

 private:
  NameFolder folder_;
  std::set<std::string> ids_, new_ids_;
  std::map<std::string, std::string> by_name_;
};

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
      for (std::size_t i; (i = r.body.find(escaped)) != std::string::npos;)
        r.body.replace(i, escaped.size(), marker);
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
  for (const char* key : {"subtitle", "translator"})
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

Result<std::uint64_t> export_markdown(Archive& archive, const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(dir, ec))
    return Status(Code::kInvalidArgument,
                  dir + ": already exists (a Markdown export makes a new directory)");
  auto snap = archive.snapshot();
  if (!snap) return snap.status();
  std::string tmp = dir + ".tmp";
  fs::remove_all(tmp, ec);
  if (!fs::create_directories(tmp, ec))
    return Status(Code::kIOError, "cannot make " + tmp + ": " + ec.message());
  std::uint64_t files = 0;
  Status failed;
  Status s = snap->for_each_article([&](const schema::Article& a) {
    for (const auto& [lang, t] : a.translations) {
      std::string name = a.id + (lang == a.original_language ? "" : "." + lang) + ".md";
      std::ofstream out(fs::path(tmp) / name, std::ios::binary | std::ios::trunc);
      out << markdown::file_of(a, lang);
      out.close();
      if (!out) {
        failed = Status(Code::kIOError, "cannot write " + (fs::path(tmp) / name).string());
        return false;
      }
      ++files;
    }
    return true;
  });
  if (s.ok()) s = failed;
  if (s.ok()) {
    fs::rename(tmp, dir, ec);
    if (ec) s = Status(Code::kIOError, "cannot rename " + tmp + " to " + dir + ": " + ec.message());
  }
  if (!s.ok()) {
    fs::remove_all(tmp, ec);
    return s;
  }
  return files;
}

}  // namespace defter::archive
