// defter-bench-wxr: a generated corpus (defter-bench-gen's JSON Lines) as
// a WordPress export, for tools/bench/import's WXR run:
//
//   defter-bench-wxr CORPUS.jsonl EXPORT.xml
//
// Each article is a Polylang translation group of posts, one a language
// (the original published first), its body rendered to HTML by cmark, its
// notes as the institute's site holds them: "[n] ..." paragraphs after a
// rule. Authors are <wp:author> entries with their biography; tags are
// post tags. Prints the number of posts.
#include <cmark.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

namespace {

using nlohmann::json;

std::string cdata(const std::string& s) {
  std::string out = "<![CDATA[";
  for (std::size_t at = 0;;) {
    std::size_t end = s.find("]]>", at);
    if (end == std::string::npos) {
      out += s.substr(at);
      break;
    }
    out += s.substr(at, end - at) + "]]]]><![CDATA[>";
    at = end + 3;
  }
  return out + "]]>";
}

std::string escaped(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

// YYYY, YYYY-MM or YYYY-MM-DD as WordPress's "YYYY-MM-DD hh:mm:ss".
std::string datetime(std::string date, int hour) {
  if (date.size() == 4) date += "-01";
  if (date.size() == 7) date += "-01";
  char time[16];
  std::snprintf(time, sizeof time, " %02d:00:00", hour);
  return date + time;
}

class Writer {
 public:
  explicit Writer(std::ostream& out) : out_(out) {
    out_ << "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n"
            "<rss version=\"2.0\" xmlns:excerpt=\"http://wordpress.org/export/1.2/excerpt/\" "
            "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" "
            "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:wp=\"http://wordpress.org/export/1.2/\">\n"
            "<channel>\n\t<title>Bench</title>\n\t<link>https://example.org</link>\n"
            "\t<language>en-US</language>\n\t<wp:wxr_version>1.2</wp:wxr_version>\n";
  }

  void author(const json& a) {
    std::string bio;
    if (a.contains("bio") && !a["bio"].empty()) bio = a["bio"].begin().value().get<std::string>();
    out_ << "\t<wp:author><wp:author_login>" << cdata(a["id"]) << "</wp:author_login><wp:author_display_name>"
         << cdata(a["name"]) << "</wp:author_display_name><wp:author_description>" << cdata(bio)
         << "</wp:author_description></wp:author>\n";
  }

  void article(const json& a) {
    const std::string group = "pll_" + a["id"].get<std::string>();
    const std::string original = a["original_language"];
    int hour = 9;
    post(a, original, a["translations"][original], group, hour++);
    for (const auto& [lang, t] : a["translations"].items())
      if (lang != original) post(a, lang, t, group, hour++);
  }

  void end() { out_ << "</channel>\n</rss>\n"; }
  std::uint64_t posts() const { return posts_; }

 private:
  void post(const json& a, const std::string& lang, const json& t, const std::string& group, int hour) {
    const std::string md = t["body"];
    char* html = cmark_markdown_to_html(md.data(), md.size(), CMARK_OPT_DEFAULT);
    std::string content = html;
    std::free(html);
    if (t.contains("footnotes") && !t["footnotes"].empty()) {
      content += "<hr />\n";
      for (const auto& f : t["footnotes"])
        content += "<p>[" + std::to_string(f["n"].get<int>()) + "] " + escaped(f["text"]) + "</p>\n";
    }
    const std::uint64_t id = ++posts_;
    const std::string slug = a["id"].get<std::string>() + (lang == a["original_language"] ? "" : "-" + lang);
    const std::string date = datetime(a.value("published", std::string("2020")), hour);
    out_ << "\t<item>\n\t\t<title>" << escaped(t["title"]) << "</title>\n\t\t<link>https://example.org/" << slug
         << "/</link>\n\t\t<dc:creator>" << cdata(a["authors"].empty() ? "" : a["authors"][0].get<std::string>())
         << "</dc:creator>\n\t\t<content:encoded>" << cdata(content) << "</content:encoded>\n\t\t<wp:post_id>" << id
         << "</wp:post_id>\n\t\t<wp:post_date>" << cdata(date) << "</wp:post_date>\n\t\t<wp:post_modified>"
         << cdata(date) << "</wp:post_modified>\n\t\t<wp:post_name>" << cdata(slug)
         << "</wp:post_name>\n\t\t<wp:status>" << cdata("publish") << "</wp:status>\n\t\t<wp:post_type>"
         << cdata("post") << "</wp:post_type>\n";
    for (const auto& tag : a.value("tags", json::array()))
      out_ << "\t\t<category domain=\"post_tag\" nicename=\"t\">" << cdata(tag) << "</category>\n";
    out_ << "\t\t<category domain=\"language\" nicename=\"" << lang << "\">" << cdata(lang) << "</category>\n"
         << "\t\t<category domain=\"post_translations\" nicename=\"" << group << "\">" << cdata(group)
         << "</category>\n\t</item>\n";
  }

  std::ostream& out_;
  std::uint64_t posts_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: defter-bench-wxr CORPUS.jsonl EXPORT.xml\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  std::ofstream out(argv[2], std::ios::binary | std::ios::trunc);
  if (!in || !out) {
    std::cerr << "defter-bench-wxr: cannot read " << argv[1] << " or write " << argv[2] << "\n";
    return 1;
  }
  Writer w(out);
  // An article is written once the translations that follow it as
  // records of their own have joined it.
  json pending;
  for (std::string line; std::getline(in, line);) {
    json r = json::parse(line);
    if (r["type"] == "author") {
      w.author(r);
    } else if (r["type"] == "translation" && pending.is_object() && pending["id"] == r["article"]) {
      json t = r;
      for (const char* key : {"type", "article", "lang"}) t.erase(key);
      pending["translations"][r["lang"].get<std::string>()] = t;
    } else if (r["type"] == "article") {
      if (pending.is_object()) w.article(pending);
      pending = std::move(r);
    }
  }
  if (pending.is_object()) w.article(pending);
  w.end();
  std::cout << w.posts() << "\n";
  return out ? 0 : 1;
}
