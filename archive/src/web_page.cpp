#include "web_page.hpp"

#include "defter/schema/text.hpp"
#include "xml_nodes.hpp"

#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/xpath.h>

#include <cctype>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

namespace defter::archive::web {

namespace {

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
struct ContextFree {
  void operator()(xmlXPathContext* c) const { xmlXPathFreeContext(c); }
};
struct ObjectFree {
  void operator()(xmlXPathObject* o) const { xmlXPathFreeObject(o); }
};
using Doc = std::unique_ptr<xmlDoc, DocFree>;
using Context = std::unique_ptr<xmlXPathContext, ContextFree>;
using Object = std::unique_ptr<xmlXPathObject, ObjectFree>;

std::string collapsed(const std::string& raw) {
  std::string out;
  for (char c : raw) {
    bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  // A no-break space is a space too.
  return schema::replaced_all(out, "\xC2\xA0", " ");
}

std::string text_of(xmlNode* node) { return collapsed(xml::text(node)); }

class Finder {
 public:
  Finder(xmlDoc* doc, const std::string& file, const std::string& profile)
      : context_(xmlXPathNewContext(doc)), file_(file), profile_(profile) {}

  // The nodes `expr` (the profile's `key`) finds; none for an empty expression.
  Result<std::vector<xmlNode*>> nodes(const std::string& key, const std::string& expr) {
    std::vector<xmlNode*> out;
    if (expr.empty()) return out;
    Object found(
        xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(expr.c_str()), context_.get()));
    if (!found)
      return Status(Code::kInvalidArgument,
                    profile_ + ": " + key + ": '" + expr + "' is not an XPath expression");
    if (found->type == XPATH_NODESET && found->nodesetval)
      for (int i = 0; i < found->nodesetval->nodeNr; ++i)
        out.push_back(found->nodesetval->nodeTab[i]);
    return out;
  }

  // The text of the first node found (an attribute's value, an element's text).
  Result<std::string> text(const std::string& key, const std::string& expr) {
    auto found = nodes(key, expr);
    if (!found) return found.status();
    return found->empty() ? std::string() : text_of(found->front());
  }

 private:
  Context context_;
  std::string file_, profile_;
};

// "[3] Text", "3. Text", "3) Text": the number and the text after it.
int leading_number(std::string& text) {
  std::size_t i = 0;
  bool bracket = !text.empty() && text[0] == '[';
  if (bracket) ++i;
  std::size_t digits = i;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  if (i == digits || i - digits > 4) return 0;
  if (bracket ? (i >= text.size() || text[i] != ']')
              : (i >= text.size() || (text[i] != '.' && text[i] != ')')))
    return 0;
  int n = std::stoi(text.substr(digits, i - digits));
  text = collapsed(text.substr(i + 1));
  return n;
}

}  // namespace

Result<Profile> read_profile(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status(Code::kNotFound, file + ": the site profile cannot be read");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return Status(Code::kInvalidArgument,
                  file + ": a site profile is a JSON object of XPath expressions");
  Profile p;
  for (auto& [key, value] : j.items()) {
    std::string* field = key == "title"       ? &p.title
                         : key == "date"      ? &p.date
                         : key == "authors"   ? &p.authors
                         : key == "lang"      ? &p.lang
                         : key == "body"      ? &p.body
                         : key == "footnotes" ? &p.footnotes
                                              : nullptr;
    if (key == "remove" && value.is_array()) {
      for (const auto& r : value)
        if (r.is_string())
          p.remove.push_back(r.get<std::string>());
        else
          return Status(Code::kInvalidArgument, file + ": remove: a list of XPath expressions");
      continue;
    }
    if (key == "comment") continue;
    if (!field)
      return Status(Code::kInvalidArgument,
                    file + ": '" + key +
                        "' is not a profile key (title, date, authors, lang, body, "
                        "footnotes, remove, comment)");
    if (!value.is_string())
      return Status(Code::kInvalidArgument, file + ": " + key + ": an XPath expression (a string)");
    *field = value.get<std::string>();
  }
  if (p.body.empty())
    return Status(Code::kInvalidArgument, file + ": body: required (where the article's text is)");
  return p;
}

Result<Page> read_page(const std::string& file, const Profile& profile,
                       const std::string& profile_name) {
  // UTF-8 unless the page names its encoding near its start (libxml2's
  // own default would be ISO-8859-1).
  std::ifstream in(file, std::ios::binary);
  std::string head(2048, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  bool named =
      head.find("charset") != std::string::npos || head.find("encoding=") != std::string::npos;
  Doc doc(htmlReadFile(
      file.c_str(), named ? nullptr : "UTF-8",
      HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET));
  if (!doc) return Status(Code::kInvalidArgument, file + ": not a readable web page");
  Finder find(doc.get(), file, profile_name);
  Page page;
  for (auto [key, expr, out] : {std::tuple{"title", &profile.title, &page.title},
                                {"date", &profile.date, &page.date},
                                {"lang", &profile.lang, &page.lang}}) {
    auto text = find.text(key, *expr);
    if (!text) return text.status();
    *out = *text;
  }
  auto authors = find.nodes("authors", profile.authors);
  if (!authors) return authors.status();
  for (xmlNode* a : *authors)
    if (auto name = text_of(a); !name.empty()) page.authors.push_back(name);
  auto body = find.nodes("body", profile.body);
  if (!body) return body.status();
  if (body->empty())
    return Status(Code::kInvalidArgument, file + ": the profile's body ('" + profile.body + "', " +
                                              profile_name + ") finds nothing in this page");
  auto notes = find.nodes("footnotes", profile.footnotes);
  if (!notes) return notes.status();
  for (std::size_t i = 0; i < notes->size(); ++i) {
    std::string text = text_of((*notes)[i]);
    int n = leading_number(text);
    if (text.empty()) continue;
    page.footnotes.push_back(text);
    page.numbers.push_back(n ? n : static_cast<int>(page.footnotes.size()));
  }
  // What is not the article's text goes, and the notes (they are kept apart).
  std::vector<xmlNode*> gone(notes->begin(), notes->end());
  for (const auto& expr : profile.remove) {
    auto found = find.nodes("remove", expr);
    if (!found) return found.status();
    gone.insert(gone.end(), found->begin(), found->end());
  }
  // Unlinked first, then freed: a node inside another that goes is then a
  // tree of its own, freed once.
  std::set<xmlNode*> unlinked;
  for (xmlNode* n : gone)
    if (n->type != XML_ATTRIBUTE_NODE && n != body->front() && unlinked.insert(n).second)
      xmlUnlinkNode(n);
  for (xmlNode* n : unlinked) xmlFreeNode(n);
  xmlBuffer* buffer = xmlBufferCreate();
  htmlNodeDump(buffer, doc.get(), body->front());
  page.body_html = "<html><body>" +
                   std::string(reinterpret_cast<const char*>(xmlBufferContent(buffer))) +
                   "</body></html>";
  xmlBufferFree(buffer);
  return page;
}

}  // namespace defter::archive::web
