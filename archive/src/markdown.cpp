#include "markdown.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "defter/archive/documents.hpp"
#include "defter/schema/footnotes.hpp"

namespace defter::archive::markdown {

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t at = 0;
  while (at <= text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(at, end - at);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    at = end + 1;
  }
  return lines;
}

bool blank(const std::string& line) { return line.find_first_not_of(" \t") == std::string::npos; }

bool indented(const std::string& line) {
  return line.rfind("    ", 0) == 0 || line.rfind("\t", 0) == 0;
}

// "[^label]: text" (up to three spaces before it): the label and where its text starts.
bool definition(const std::string& line, std::string& label, std::size_t& text_at) {
  std::size_t i = line.find_first_not_of(' ');
  if (i == std::string::npos || i > 3 || line.compare(i, 2, "[^") != 0) return false;
  std::size_t close = line.find("]:", i + 2);
  if (close == std::string::npos || close == i + 2) return false;
  label = line.substr(i + 2, close - i - 2);
  if (label.find_first_of(" \t[]") != std::string::npos) return false;
  text_at = close + 2;
  while (text_at < line.size() && line[text_at] == ' ') ++text_at;
  return true;
}

}  // namespace

Parts split(const std::string& text) {
  // A byte order mark, as some editors save, is not part of the front matter's first line.
  std::vector<std::string> lines =
      lines_of(text.rfind("\xEF\xBB\xBF", 0) == 0 ? text.substr(3) : text);
  std::size_t i = 0;
  // Front matter: "---" on the first line, to the next "---" or "...".
  if (!lines.empty() && lines[0] == "---") {
    for (std::size_t j = 1; j < lines.size(); ++j)
      if (lines[j] == "---" || lines[j] == "...") {
        i = j + 1;
        break;
      }
  }
  while (i < lines.size() && blank(lines[i])) ++i;
  std::map<std::string, std::string> defined;
  std::vector<std::string> defined_order;
  std::vector<std::string> body;
  for (; i < lines.size(); ++i) {
    std::string label;
    std::size_t at = 0;
    if (!definition(lines[i], label, at)) {
      body.push_back(lines[i]);
      continue;
    }
    std::string note = lines[i].substr(at);
    // Its continuation: indented lines, blank lines between them.
    while (i + 1 < lines.size()) {
      std::size_t next = i + 1;
      while (next < lines.size() && blank(lines[next])) ++next;
      if (next >= lines.size() || !indented(lines[next])) break;
      for (std::size_t k = i + 1; k <= next; ++k) {
        std::string l = lines[k];
        std::size_t from = l.find_first_not_of(" \t");
        note += "\n" + (from == std::string::npos ? "" : l.substr(from));
      }
      i = next;
    }
    if (!defined.count(label)) defined_order.push_back(label);
    defined.emplace(label, note);
  }
  while (!body.empty() && blank(body.back())) body.pop_back();
  std::string joined;
  for (std::size_t k = 0; k < body.size(); ++k) joined += (k ? "\n" : "") + body[k];

  // The numbers: the labels' own when all are numbers, else by first reference.
  std::map<std::string, int> number;
  bool numeric = !defined_order.empty();
  for (const auto& label : defined_order)
    numeric = numeric && label.size() < 6 &&
              label.find_first_not_of("0123456789") == std::string::npos && std::stoi(label) > 0;
  if (numeric)
    for (const auto& label : defined_order) number.emplace(label, std::stoi(label));
  Parts parts;
  std::size_t at = 0;
  while (at < joined.size()) {
    std::size_t ref = joined.find("[^", at);
    if (ref == std::string::npos) {
      parts.body += joined.substr(at);
      break;
    }
    std::size_t close = joined.find(']', ref + 2);
    std::string label = close == std::string::npos ? "" : joined.substr(ref + 2, close - ref - 2);
    if (label.empty() || !defined.count(label)) {
      parts.body += joined.substr(at, ref + 2 - at);
      at = ref + 2;
      continue;
    }
    auto it = number.emplace(label, static_cast<int>(number.size()) + 1).first;
    parts.body += joined.substr(at, ref - at) + "[" + std::to_string(it->second) + "]";
    at = close + 1;
  }
  for (const auto& label : defined_order)
    number.emplace(label, static_cast<int>(number.size()) + 1);
  for (const auto& [label, n] : number) parts.notes.emplace_back(n, defined[label]);
  std::sort(parts.notes.begin(), parts.notes.end());
  return parts;
}

std::string yaml_text(const std::string& text) {
  static const std::string special = "\\`*_[]<>!&~^${}#|";
  std::string escaped;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool punct = (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
                 (c >= '{' && c <= '~');
    // Anything that would make a block of the start (a list, a quote, a
    // heading), and inline markup anywhere.
    if ((i == 0 && punct) || special.find(c) != std::string::npos) escaped += '\\';
    escaped += c;
  }
  return nlohmann::json(escaped).dump();
}

namespace {

std::string list_of(const std::vector<std::string>& values, bool markdown) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i)
    out += (i ? ", " : "") + (markdown ? yaml_text(values[i]) : nlohmann::json(values[i]).dump());
  return out + "]";
}

std::string quoted(const std::string& s) { return nlohmann::json(s).dump(); }

// The body with its markers [n] as references [^n], for the notes it has.
std::string with_references(const std::string& body, std::size_t notes) {
  std::string out;
  std::size_t at = 0;
  while (at < body.size()) {
    std::size_t open = body.find('[', at);
    if (open == std::string::npos) break;
    std::size_t close = body.find(']', open + 1);
    std::string n = close == std::string::npos ? "" : body.substr(open + 1, close - open - 1);
    bool number =
        !n.empty() && n.size() < 6 && n.find_first_not_of("0123456789") == std::string::npos;
    if (number && std::stoul(n) >= 1 && std::stoul(n) <= notes) {
      out += body.substr(at, open - at) + "[^" + n + "]";
      at = close + 1;
    } else {
      out += body.substr(at, open + 1 - at);
      at = open + 1;
    }
  }
  return out + body.substr(std::min(at, body.size()));
}

// The footnotes whose parts are not what their text reads as (a publisher
// given in English for a Chinese note): their parts in the front matter,
// so that importing the file gives them back.
std::string stated_parts(const std::vector<schema::Footnote>& notes) {
  std::vector<schema::Footnote> read;
  for (const auto& f : notes) read.push_back({f.n, f.text, {}, {}, {}, {}});
  schema::complete_footnotes(read);
  std::string out;
  for (std::size_t i = 0; i < notes.size(); ++i) {
    const auto& f = notes[i];
    if (f == read[i] || (!f.title && !f.publisher && !f.url && !f.accessed)) continue;
    out += "- n: " + std::to_string(f.n) + "\n";
    for (const auto& [key, value] : {std::pair{"title", &f.title},
                                     {"publisher", &f.publisher},
                                     {"url", &f.url},
                                     {"accessed", &f.accessed}})
      if (*value) out += std::string("  ") + key + ": " + yaml_text(**value) + "\n";
  }
  return out.empty() ? "" : "footnotes:\n" + out;
}

}  // namespace

std::string file_of(const schema::Article& a, const std::string& lang) {
  const schema::Translation& t = a.translations.at(lang);
  std::string out = "---\n";
  if (lang == a.original_language) {
    out += "id: " + quoted(a.id) + "\n";
  } else {
    out += "translation_of: " + quoted(a.id) + "\n";
  }
  out += "lang: " + quoted(lang) + "\n";
  out += "title: " + yaml_text(t.title) + "\n";
  if (t.subtitle) out += "subtitle: " + yaml_text(*t.subtitle) + "\n";
  if (t.translator) out += "translator: " + yaml_text(*t.translator) + "\n";
  if (t.modified) out += "modified: " + quoted(*t.modified) + "\n";
  if (lang == a.original_language) {
    if (!a.published.empty()) out += "published: " + quoted(a.published) + "\n";
    if (!a.authors.empty()) out += "authors: " + list_of(a.authors, false) + "\n";
    if (!a.countries.empty()) out += "countries: " + list_of(a.countries, false) + "\n";
    if (!a.not_countries.empty()) out += "not_countries: " + list_of(a.not_countries, false) + "\n";
    if (!a.tags.empty()) out += "tags: " + list_of(a.tags, true) + "\n";
    if (a.source_url) out += "source_url: " + yaml_text(*a.source_url) + "\n";
  }
  out += stated_parts(t.footnotes);
  out += "---\n\n" + with_references(t.body, t.footnotes.size()) + "\n";
  if (!t.footnotes.empty()) out += "\n";
  for (const auto& f : t.footnotes) {
    std::string text = yaml_text(f.text);  // escaped as Markdown, then quoted: take the quotes off
    out +=
        "[^" + std::to_string(f.n) + "]: " + nlohmann::json::parse(text).get<std::string>() + "\n";
  }
  return out;
}

}  // namespace defter::archive::markdown

namespace defter::archive {

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
