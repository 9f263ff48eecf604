// defter search and suggest.
#include "commands.hpp"
#include "cli_util.hpp"

#include <unistd.h>

#include <cstring>
#include <iostream>
#include <memory>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "defter/archive/archive.hpp"
#include "defter/indexer/exports.hpp"
#include "defter/indexer/index.hpp"
#include "defter/indexer/search.hpp"

namespace defter::cli {

namespace {

// Search results are HTML (escaped text, matches in <mark>): on a terminal
// the marks become bold, in a pipe plain text.
std::string terminal_text(const std::string& html, bool tty) {
  std::string out;
  for (std::size_t i = 0; i < html.size();) {
    auto starts = [&](const char* s) { return html.compare(i, std::strlen(s), s) == 0; };
    struct Sub {
      const char *from, *to;
    };
    static const Sub kSubs[] = {{"<mark>", "\033[1;33m"}, {"</mark>", "\033[0m"}, {"&amp;", "&"}, {"&lt;", "<"},
                                {"&gt;", ">"},           {"&quot;", "\""},       {"&#39;", "'"}};
    bool done = false;
    for (const auto& sub : kSubs) {
      if (!starts(sub.from)) continue;
      bool tag = sub.from[1] == 'm' || sub.from[1] == '/';
      if (!tag || tty) out += sub.to;
      i += std::strlen(sub.from);
      done = true;
      break;
    }
    if (done) continue;
    std::size_t next = std::min(html.find('<', i + 1), html.find('&', i + 1));
    out += shown(std::string_view(html).substr(i, next == std::string::npos ? std::string::npos : next - i));
    i = next == std::string::npos ? html.size() : next;
  }
  return out;
}

}  // namespace

int run_search(const std::string& data_dir, const SearchArgs& args) {
  std::unique_ptr<archive::Archive> archive;
  auto searcher = open_searcher(data_dir, archive);
  if (!searcher) return fail(searcher.status());
  indexer::SearchRequest req;
  req.query = args.query;
  for (const auto& [name, values] : args.filters)
    if (!values.empty()) req.filters[name] = values;
  req.from = args.from;
  req.to = args.to;
  req.sort = indexer::parse_sort(args.sort).value_or(indexer::SortOrder::kRelevance);
  req.page = args.page;
  req.size = args.size;
  req.languages = args.prefer;
  req.ui_lang = args.ui_lang;
  if (!args.format.empty()) {
    // Every article the search finds (not a page of them), as a file.
    auto format = indexer::parse_export_format(args.format);
    auto snap = archive->snapshot();
    if (!snap) return fail(snap.status());
    // Written as it is made, a piece at a time, as the server sends it.
    auto out = indexer::ExportStream::open(**searcher, *snap, req, *format, args.limit, args.base_url);
    if (!out) {
      if (out.status().code() == Code::kInvalidArgument) {
        std::cerr << "defter: " << out.status().message() << "\n";
        return kExitUsage;
      }
      return fail(out.status());
    }
    while (true) {
      auto piece = out->next(25);
      if (!piece) return fail(piece.status());
      if (!*piece) break;
      std::cout << **piece;
    }
    std::cout << std::flush;
    if (out->count() < out->total())
      std::cerr << fmt::format("defter: {} of {} articles exported (--limit {})\n", out->count(), out->total(),
                               args.limit);
    return std::cout ? kExitOk : kExitStorage;
  }
  auto resp = (*searcher)->search(req);
  if (!resp) {
    if (resp.status().code() == Code::kInvalidArgument) {
      std::cerr << "defter: " << resp.status().message() << "\n";
      return kExitUsage;
    }
    return fail(resp.status());
  }
  if (args.json) {
    print_json(indexer::to_json(*resp), false);
    return kExitOk;
  }
  bool tty = ::isatty(1);
  auto bold = [&](const std::string& s) { return tty ? "\033[1m" + s + "\033[0m" : s; };
  auto dim = [&](const std::string& s) { return tty ? "\033[2m" + s + "\033[0m" : s; };
  // "6 results for kazakhstan, filtered by country KZ": what was asked, in the user's words.
  std::string filtered;
  for (const auto& [name, values] : req.filters) {
    std::string list;
    for (const auto& v : values) list += (list.empty() ? "" : " or ") + shown(v);
    filtered += (filtered.empty() ? "" : ", ") + name + " " + list;
  }
  if (!args.from.empty() || !args.to.empty())
    filtered += (filtered.empty() ? "" : ", ") + std::string("published ") +
                (args.from.empty() ? "up to " + shown(args.to)
                 : args.to.empty() ? "from " + shown(args.from)
                                   : shown(args.from) + " to " + shown(args.to));
  std::cout << (resp->total_exact ? "" : "about ") << counted(resp->total, "result")
            << (resp->query.understood.empty() ? "" : " for " + resp->query.understood)
            << (filtered.empty() ? "" : ", filtered by " + filtered) << "\n";
  for (const auto& note : resp->query.notes) std::cout << "note: " << note << "\n";
  std::size_t n = (resp->page - 1) * resp->size;
  for (const auto& h : resp->hits) {
    std::cout << "\n" << fmt::format("{:>3}. ", ++n) << bold(terminal_text(h.title, tty)) << "\n";
    std::string meta;
    if (h.type == "author") meta = "author " + shown(h.id);
    else meta = (h.published.empty() ? std::string("undated") : h.published) + " · " + shown(h.id);
    std::string names;
    for (const auto& [id, name] : h.authors) names += (names.empty() ? "" : ", ") + shown(name);
    if (!names.empty()) meta += " · " + names;
    if (!h.lang.empty()) {
      meta += " · " + h.lang;
      std::string others;
      for (const auto& l : h.languages)
        if (l != h.lang) others += (others.empty() ? "" : ", ") + l;
      if (!others.empty()) meta += " (also " + others + ")";
    }
    std::cout << "     " << dim(meta) << "\n";
    if (!h.snippet.empty()) std::cout << "     " << terminal_text(h.snippet, tty) << "\n";
  }
  // Where this page is among the results, and how to see the next.
  if (!resp->hits.empty() && (resp->page > 1 || resp->total > resp->hits.size())) {
    std::size_t first = (resp->page - 1) * resp->size + 1, last = first + resp->hits.size() - 1;
    std::string more = last < resp->total ? fmt::format("; the next page: --page {}", resp->page + 1) : "";
    std::cout << "\n" << dim(fmt::format("showing {}-{} of {}{}{}", first, last, resp->total_exact ? "" : "about ", resp->total, more)) << "\n";
  } else if (resp->hits.empty() && resp->page > 1 && resp->total > 0) {
    std::cout << "\n" << dim(fmt::format("page {} is past the last result ({} in all)", resp->page, resp->total)) << "\n";
  }
  if (!resp->suggestion.empty()) std::cout << "\ndid you mean: " << bold(shown(resp->suggestion)) << "\n";
  bool any = false;
  for (const auto& facet : indexer::facet_names()) {
    auto it = resp->facets.find(facet);
    if (it == resp->facets.end() || it->second.empty()) continue;
    if (!any) std::cout << "\n";
    any = true;
    std::string line = fmt::format("{:<8}", facet);
    for (const auto& v : it->second) {
      std::string label = shown(v.label == v.value || facet == "year" ? v.value : v.label + " (" + v.value + ")");
      std::string entry = fmt::format("{} {}", label, v.count);
      // How many of them are about the country, not only naming it.
      if (facet == "country" && v.count > 0)
        entry += v.subject >= v.count ? " (as subject)" : v.subject == 0 ? " (mentioned)" : fmt::format(" ({} as subject)", v.subject);
      line += " " + (v.selected ? bold("*" + entry) : entry) + " ·";
    }
    line.resize(line.size() - std::strlen(" ·"));
    std::cout << line << "\n";
  }
  return kExitOk;
}

int run_suggest(const std::string& data_dir, const std::string& prefix, const std::string& ui_lang, bool json) {
  std::unique_ptr<archive::Archive> archive;
  auto searcher = open_searcher(data_dir, archive);
  if (!searcher) return fail(searcher.status());
  auto got = (*searcher)->suggest(prefix, 10, ui_lang);
  if (!got) return fail(got.status());
  if (json) {
    print_json(indexer::to_json(*got), false);
    return kExitOk;
  }
  for (const auto& s : *got) std::cout << fmt::format("{:<8} {}  ({})\n", s.kind, shown(s.text), shown(s.value));
  return kExitOk;
}

}  // namespace defter::cli
