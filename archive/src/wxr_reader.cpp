#include "wxr_reader.hpp"

#include <libxml/xmlreader.h>

#include <cctype>
#include <memory>
#include <nlohmann/json.hpp>

#include "xml_nodes.hpp"

namespace defter::archive::wxr {

using nlohmann::json;

namespace {

struct ReaderFree {
  void operator()(xmlTextReader* r) const { xmlFreeTextReader(r); }
};
using Reader = std::unique_ptr<xmlTextReader, ReaderFree>;

// An element's name as WordPress writes it: "wp:post_id", "content:encoded".
std::string qname(const xmlNode* n) {
  std::string name = n->name ? reinterpret_cast<const char*>(n->name) : "";
  if (n->ns && n->ns->prefix) return reinterpret_cast<const char*>(n->ns->prefix) + (":" + name);
  return name;
}

}  // namespace

std::string trimmed(std::string s) {
  std::size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// A language as the archive writes tags: "pt-br" is pt-BR, "zh-hans" zh-Hans.
std::string canonical_lang(std::string tag) {
  for (char& c : tag)
    if (c == '_') c = '-';
  std::string out;
  std::size_t part = 0;
  for (std::size_t at = 0; at <= tag.size(); ++part) {
    std::size_t end = tag.find('-', at);
    if (end == std::string::npos) end = tag.size();
    std::string p = tag.substr(at, end - at);
    for (std::size_t i = 0; i < p.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(p[i]);
      bool upper = part > 0 && (p.size() == 2 || (p.size() == 4 && i == 0));
      p[i] = static_cast<char>(upper ? std::toupper(c) : std::tolower(c));
    }
    out += (part ? "-" : "") + p;
    at = end + 1;
  }
  return out;
}

namespace {

// "%d0%ba%d0%b8" (WordPress keeps a slug's other letters so) as UTF-8.
std::string percent_decoded(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

Post read_post(const xmlNode* item, std::uint64_t line, bool with_content) {
  Post p;
  p.line = line;
  for (const xmlNode* c = item->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    const std::string name = qname(c);
    if (name == "title")
      p.title = xml::text(c);
    else if (name == "link")
      p.link = trimmed(xml::text(c));
    else if (name == "dc:creator")
      p.logins.insert(p.logins.begin(), trimmed(xml::text(c)));
    else if (name == "content:encoded" && with_content)
      p.content = xml::text(c);
    else if (name == "wp:post_id")
      p.id = trimmed(xml::text(c));
    else if (name == "wp:post_date")
      p.date = trimmed(xml::text(c));
    else if (name == "wp:post_modified")
      p.modified = trimmed(xml::text(c));
    else if (name == "wp:post_name")
      p.slug = percent_decoded(trimmed(xml::text(c)));
    else if (name == "wp:status")
      p.status = trimmed(xml::text(c));
    else if (name == "wp:post_type")
      p.type = trimmed(xml::text(c));
    else if (name == "category") {
      const std::string domain = xml::attr(c, "domain"), nicename = xml::attr(c, "nicename");
      if (domain == "language")
        p.lang = canonical_lang(nicename);
      else if (domain == "post_translations")
        p.group = nicename;
      else if (domain == "category" || domain == "post_tag")
        p.terms.emplace_back(nicename, trimmed(xml::text(c)));
      // Co-Authors Plus: each author a term "cap-LOGIN".
      else if (domain == "author")
        p.logins.push_back(nicename.rfind("cap-", 0) == 0 ? nicename.substr(4) : nicename);
    } else if (name == "wp:postmeta" && with_content) {
      std::string key, value;
      for (const xmlNode* m = c->children; m; m = m->next) {
        if (m->type != XML_ELEMENT_NODE) continue;
        if (qname(m) == "wp:meta_key") key = trimmed(xml::text(m));
        if (qname(m) == "wp:meta_value") value = xml::text(m);
      }
      // The block editor's notes: [{"id": ..., "content": HTML}, ...].
      if (key == "footnotes") {
        json notes = json::parse(value, nullptr, false);
        if (notes.is_array())
          for (const auto& n : notes)
            if (n.is_object() && n.value("id", json()).is_string() &&
                n.value("content", json()).is_string())
              p.block_notes.emplace_back(n["id"].get<std::string>(),
                                         n["content"].get<std::string>());
      }
    }
  }
  return p;
}

WpAuthor read_author(const xmlNode* node, std::uint64_t line) {
  WpAuthor a;
  a.line = line;
  for (const xmlNode* c = node->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    const std::string name = qname(c);
    if (name == "wp:author_login")
      a.login = trimmed(xml::text(c));
    else if (name == "wp:author_display_name")
      a.display_name = trimmed(xml::text(c));
    else if (name == "wp:author_first_name")
      a.first = trimmed(xml::text(c));
    else if (name == "wp:author_last_name")
      a.last = trimmed(xml::text(c));
    else if (name == "wp:author_description")
      a.description = trimmed(xml::text(c));
  }
  return a;
}

Status Walk::run(const std::string& file, const Handlers& h) {
  Reader reader(xmlReaderForFile(file.c_str(), nullptr, XML_PARSE_NONET | XML_PARSE_NOCDATA));
  if (!reader) return Status(Code::kIOError, file + ": cannot be read");
  std::string error;
  std::uint64_t error_line = 0;
  std::pair<std::string*, std::uint64_t*> where{&error, &error_line};
  xmlTextReaderSetStructuredErrorHandler(
      reader.get(),
      [](void* arg, xmlErrorPtr e) {
        auto* w = static_cast<std::pair<std::string*, std::uint64_t*>*>(arg);
        if (!w->first->empty() || !e || e->level < XML_ERR_ERROR) return;
        *w->first = e->message ? trimmed(e->message) : "not well-formed";
        *w->second = static_cast<std::uint64_t>(e->line);
      },
      &where);
  bool rss = false, channel = false;
  int ret = xmlTextReaderRead(reader.get());
  while (ret == 1) {
    xmlTextReader* r = reader.get();
    if (xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT) {
      ret = xmlTextReaderRead(r);
      continue;
    }
    const int depth = xmlTextReaderDepth(r);
    const std::string name = reinterpret_cast<const char*>(xmlTextReaderConstName(r));
    if (depth == 0) rss = name == "rss";
    if (depth == 1 && name == "channel") channel = true;
    if (depth == 2 && (name == "item" || name == "wp:author" || name == "language")) {
      xmlNode* node = xmlTextReaderExpand(r);
      if (!node) break;
      const auto line = static_cast<std::uint64_t>(xmlGetLineNo(node));
      if (name == "language" && h.language) h.language(trimmed(xml::text(node)));
      if (name == "wp:author" && h.author) h.author(node, line);
      if (name == "item" && h.item)
        if (auto s = h.item(node, line); !s.ok()) return s;
      ret = xmlTextReaderNext(r);
      continue;
    }
    ret = xmlTextReaderRead(r);
  }
  if (ret != 0 || !error.empty())
    return Status(Code::kInvalidArgument,
                  file + ":" + std::to_string(error_line) + ": not well-formed XML" +
                      (error.empty() ? "" : ": " + error) + "; nothing was imported");
  if (!rss || !channel)
    return Status(
        Code::kInvalidArgument,
        file + ": not a WordPress export (WXR): no <rss><channel> (Tools > Export writes one)");
  return {};
}

}  // namespace defter::archive::wxr
