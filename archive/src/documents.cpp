// Documents into records: pandoc reads each file into its tree; the tree's
// footnotes, images and tables are taken out here; what is left is written
// back as CommonMark by pandoc.
#include "defter/archive/documents.hpp"

#include <unicode/translit.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "defter/schema/text.hpp"
#include "pandoc.hpp"

namespace defter::archive {

using nlohmann::json;

const std::vector<std::string>& document_formats() {
  static const std::vector<std::string> formats = {"docx", "odt", "html", "md"};
  return formats;
}

namespace {

std::string reader_of(const std::string& from) {
  if (from == "md") return "commonmark_x";  // front matter and [^n] footnotes
  if (from == "docx") return "docx+styles";  // paragraphs' styles kept: captions are known as such
  return from;
}

bool is_node(const json& v, const char* type) {
  return v.is_object() && v.contains("t") && v.at("t") == type;
}

bool is_block(const json& v) {
  static const std::set<std::string> blocks = {"Para",     "Plain",       "Header", "BlockQuote", "BulletList", "OrderedList",
                                               "Div",      "LineBlock",   "CodeBlock", "DefinitionList"};
  return v.is_object() && v.contains("t") && v.at("t").is_string() && blocks.count(v.at("t").get<std::string>());
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
  if (t == "Str") out += c.get<std::string>();
  else if (t == "Space" || t == "SoftBreak" || t == "LineBreak") out += ' ';
  else if (t == "Code" || t == "Math") out += c.at(1).get<std::string>();
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
    if (!url.empty() && url[0] != '#' && url != text && url != "mailto:" + text) out += (text.empty() ? "" : " ") + url;
  } else if (t == "Image" || t == "Note" || t == "RawInline" || t == "RawBlock") {
  } else if (t == "CodeBlock") out += c.at(1).get<std::string>();
  else if (t == "Header") plain(c.at(2), out);
  else if (t == "Cite") plain(c.at(1), out);
  else if (t == "Span" || t == "Div") plain(c.at(1), out);
  else if (t == "OrderedList") plain(c.at(1), out);
  else plain(c, out);
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
      kept.push_back({{"t", "RawInline"}, {"c", {"commonmark", "[" + std::to_string(x.notes.size()) + "]"}}});
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
      x.dropped.push_back("table " + std::to_string(++x.tables) + (caption.empty() ? "" : " ('" + caption + "')"));
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
    if (is_node(v, "MetaMap") && v.at("c").contains("name")) return plain_text(v.at("c").at("name").value("c", json()));
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
    t_.reset(icu::Transliterator::createInstance("Any-Latin; Latin-ASCII; Lower", UTRANS_FORWARD, status));
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
      if (std::isalnum(static_cast<unsigned char>(c))) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      else if (!out.empty() && out.back() != ' ') out += ' ';
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
  std::string resolve(const std::string& name, std::vector<std::string>& notes, std::vector<json>& created) {
    if (ids_.count(name) && !new_ids_.count(name)) return name;
    std::string folded = folder_.fold(name);
    if (auto it = by_name_.find(folded); it != by_name_.end()) {
      if (!new_ids_.count(it->second))
        notes.push_back("author '" + name + "' is '" + it->second + "', already in the archive");
      return it->second;
    }
    std::string base = folder_.slug(name), id = base;
    for (int n = 2; id.empty() || ids_.count(id); ++n) id = (base.empty() ? "author" : base) + "-" + std::to_string(n);
    ids_.insert(id);
    new_ids_.insert(id);
    by_name_.emplace(folded, id);
    created.push_back({{"type", "author"}, {"id", id}, {"name", name}});
    notes.push_back("author '" + name + "' is new: created as '" + id + "'");
    return id;
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
  std::vector<std::string> dropped;
};

Result<Read> read_tree_parts(const std::string& file, const std::string& from, bool title_given);

// A tree of a shape other than the one this code reads (another pandoc
// version) is said to be so, not an unexpected error.
Result<Read> read_document(const std::string& file, const std::string& from, bool title_given) {
  try {
    return read_tree_parts(file, from, title_given);
  } catch (const json::exception& e) {
    return Status(Code::kIOError, file + ": pandoc's tree of it is not what defter reads (" + e.what() + ")");
  }
}

Result<Read> read_tree_parts(const std::string& file, const std::string& from, bool title_given) {
  auto tree_text = pandoc::read_tree(file, reader_of(from), from);
  if (!tree_text) return Status(tree_text.status().code(), file + ": " + tree_text.status().message());
  json tree = json::parse(*tree_text, nullptr, false);
  if (tree.is_discarded() || !tree.contains("blocks"))
    return Status(Code::kIOError, file + ": pandoc's tree of it is not what defter reads (pandoc too old or too new?)");
  Read r;
  r.meta = tree.value("meta", json::object());
  r.title = meta_value(r.meta, "title");
  json& blocks = tree["blocks"];
  // No title in the metadata: a first heading of level 1 is the title.
  if (r.title.empty() && !title_given && !blocks.empty() && is_node(blocks[0], "Header") && blocks[0]["c"].at(0) == 1) {
    r.title = plain_text(blocks[0]["c"].at(2));
    blocks.erase(blocks.begin());
  }
  Extracted x;
  extract(blocks, x);
  r.notes = std::move(x.notes);
  r.dropped = std::move(x.dropped);
  tree["meta"] = json::object();
  auto body = pandoc::commonmark_of(tree.dump());
  if (!body) return Status(body.status().code(), file + ": " + body.status().message());
  r.body = std::move(*body);
  while (!r.body.empty() && (r.body.back() == '\n' || r.body.back() == ' ')) r.body.pop_back();
  return r;
}

json footnotes_of(const std::vector<std::string>& notes) {
  json out = json::array();
  for (std::size_t i = 0; i < notes.size(); ++i) out.push_back({{"n", i + 1}, {"text", notes[i]}});
  return out;
}

Result<std::vector<ConvertedInput>> convert_files(Archive& archive, const std::vector<std::string>& files,
                                                  const DocumentOptions& o);

}  // namespace

Result<std::vector<ConvertedInput>> convert_documents(Archive& archive, const std::vector<std::string>& files,
                                                      const DocumentOptions& options) {
  try {
    return convert_files(archive, files, options);
  } catch (const json::exception& e) {
    return Status(Code::kIOError, std::string("a document's metadata is not what defter reads (") + e.what() + ")");
  }
}

namespace {

Result<std::vector<ConvertedInput>> convert_files(Archive& archive, const std::vector<std::string>& files,
                                                  const DocumentOptions& o) {
  const auto& formats = document_formats();
  if (std::find(formats.begin(), formats.end(), o.from) == formats.end())
    return Status(Code::kInvalidArgument, "--from " + o.from + ": not a format defter reads (docx, odt, html, md)");
  if (files.empty()) return Status(Code::kInvalidArgument, "no files to import");
  if (o.langs.size() > files.size())
    return Status(Code::kInvalidArgument, "--lang given " + std::to_string(o.langs.size()) + " times for " +
                                              std::to_string(files.size()) + " files (one a file, in order)");
  auto snap = archive.snapshot();
  if (!snap) return snap.status();
  Authors authors(*snap);

  std::vector<ConvertedInput> out;
  std::vector<json> created;  // authors new to the archive, imported first
  json article;
  bool existing = false;  // the article is in the archive already
  std::set<std::string> langs;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::string& file = files[i];
    auto read = read_document(file, o.from, i == 0 && !o.title.empty());
    if (!read) return read.status();
    ConvertedInput in;
    in.name = file;
    for (const auto& d : read->dropped)
      in.warnings.push_back({file, 0, "", "", d + " left out: the archive keeps text, headings, quotes, lists and notes", true});
    std::string lang = i < o.langs.size() ? o.langs[i] : meta_value(read->meta, "lang");
    if (lang.empty())
      return Status(Code::kInvalidArgument, file + ": no language in the document's metadata: give --lang (one a file, in order)");
    if (!langs.insert(lang).second)
      return Status(Code::kInvalidArgument, file + ": a second file in " + lang + ": one file a language");
    std::string title = read->title.empty() && i == 0 ? o.title : read->title;
    if (title.empty())
      return Status(Code::kInvalidArgument, file + ": no title in the document's metadata nor a first heading" +
                                                std::string(i == 0 ? ": give --title" : ""));
    json text = {{"title", title}, {"body", read->body}};
    if (!read->notes.empty()) text["footnotes"] = footnotes_of(read->notes);
    if (i == 0) {
      std::string id = !o.article.empty() ? o.article : meta_value(read->meta, "id");
      if (id.empty()) id = authors.folder().slug(title);
      article = {{"type", "article"}, {"id", id}};
      // An article the archive has: the files are its translations, and
      // its own fields (authors, date, original language) are kept.
      if (snap->has_article(id)) {
        in.notes.push_back("article '" + id + "' is in the archive: imported as its translation (" + lang +
                           "); its authors and date are kept");
        existing = true;
      }
    }
    if (i > 0 || existing) {
      json t = {{"type", "translation"}, {"article", article["id"]}, {"lang", lang}};
      t.update(text);
      in.lines = t.dump() + "\n";
      out.push_back(std::move(in));
      continue;
    }
    // The first file is the article.
    article["original_language"] = lang;
    std::string date_text = meta_value(read->meta, "date");
    std::string published = date_of(date_text);
    if (published.empty() && !date_text.empty() && o.published.empty())
      return Status(Code::kInvalidArgument, file + ": the document's date '" + date_text +
                                                "' is not YYYY, YYYY-MM or YYYY-MM-DD: give --published");
    if (published.empty()) published = o.published;
    if (!published.empty()) article["published"] = published;
    auto names = meta_values(read->meta, "author");
    if (names.empty()) names = o.authors;
    json ids = json::array();
    for (const auto& name : names) ids.push_back(authors.resolve(name, in.notes, created));
    if (!ids.empty()) article["authors"] = ids;
    for (const char* key : {"countries", "tags"})
      if (auto v = meta_values(read->meta, key); !v.empty()) article[key] = v;
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
