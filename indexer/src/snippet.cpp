#include "snippet.hpp"

#include <unicode/unistr.h>

#include <algorithm>
#include <map>
#include <set>

namespace defter::indexer {
namespace {

struct Match {
  std::size_t begin, end;
  int group;  // which word of the query: distinct groups make a better snippet than repeats
};

bool is_ws(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

// The matches in text[from, to), appended to out.
void find_matches(const Analyzer& analyzer, const std::string& text, std::size_t from, std::size_t to,
                  const Highlight& h, std::vector<Match>& out) {
  if (h.empty() || from >= to) return;
  std::size_t first = out.size();
  analyzer.spans(std::string_view(text).substr(from, to - from), h.initials, [&](const Word& w, std::size_t b, std::size_t e) {
    b += from;
    e += from;
    if (w.cjk) {
      std::string_view run(text.data() + b, e - b);
      for (const auto& [c, group] : h.cjk)
        for (std::size_t at = run.find(c); !c.empty() && at != std::string_view::npos; at = run.find(c, at + c.size()))
          out.push_back({b + at, b + at + c.size(), group});
      return;
    }
    int group = -1;
    if (auto t = h.terms.find(w.term); t != h.terms.end()) group = t->second;
    else if (auto s1 = w.stem.empty() ? h.stems.end() : h.stems.find(w.stem); s1 != h.stems.end()) group = s1->second;
    else if (auto s2 = w.stem_alt.empty() ? h.stems.end() : h.stems.find(w.stem_alt); s2 != h.stems.end()) group = s2->second;
    else
      for (const auto& [p, g] : h.prefixes)
        if (w.term.compare(0, p.size(), p) == 0) group = g;
    if (group < 0) return;
    // The parts of "Kazakistan'ın" share one range: mark it once.
    if (out.size() > first && out.back().begin == b && out.back().end == e) return;
    out.push_back({b, e, group});
  });
  std::sort(out.begin() + static_cast<long>(first), out.end(),
            [](const Match& a, const Match& b) { return a.begin < b.begin || (a.begin == b.begin && a.end > b.end); });
  std::vector<Match> kept(out.begin(), out.begin() + static_cast<long>(first));  // no overlaps (CJK strings inside each other)
  for (auto it = out.begin() + static_cast<long>(first); it != out.end(); ++it)
    if (kept.size() == first || it->begin >= kept.back().end) kept.push_back(*it);
  out = std::move(kept);
}

void append_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
}

// Where one block (a heading, a paragraph, an item) ends and the next
// begins, a snippet says so: "Background · Turkmenistan holds...", not
// "Background Turkmenistan holds...".
constexpr std::string_view kBlockBreak = " \u00b7 ";

// text[from, to) with whitespace runs made one space (a blank line: a block
// break), escaped, matches marked.
std::string render(const std::string& text, std::size_t from, std::size_t to, const std::vector<Match>& matches,
                   Markup markup) {
  std::string out;
  const bool mark = markup == Markup::kMarked;
  auto append = [&](std::string& into, std::string_view part) {
    if (markup == Markup::kText) into += part;
    else append_escaped(into, part);
  };
  auto flush_plain = [&](std::size_t a, std::size_t b) {
    std::string collapsed;
    for (std::size_t i = a; i < b;) {
      if (!is_ws(text[i])) {
        collapsed += text[i++];
        continue;
      }
      int newlines = 0;
      for (; i < b && is_ws(text[i]); ++i) newlines += text[i] == '\n';
      collapsed += newlines >= 2 ? kBlockBreak : " ";
    }
    append(out, collapsed);
  };
  std::size_t at = from;
  for (const auto& m : matches) {
    if (m.end <= from || m.begin < at) continue;
    if (m.begin >= to) break;
    flush_plain(at, m.begin);
    if (mark) out += "<mark>";
    append(out, std::string_view(text).substr(m.begin, std::min(m.end, to) - m.begin));
    if (mark) out += "</mark>";
    at = std::min(m.end, to);
  }
  flush_plain(at, to);
  // Trim the spaces and block breaks at either end.
  const std::string_view dot = kBlockBreak.substr(1, kBlockBreak.size() - 2);
  std::string_view v = out;
  for (bool trimmed = true; trimmed;) {
    trimmed = false;
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1), trimmed = true;
    while (!v.empty() && v.back() == ' ') v.remove_suffix(1), trimmed = true;
    if (v.substr(0, dot.size()) == dot) v.remove_prefix(dot.size()), trimmed = true;
    if (v.size() >= dot.size() && v.substr(v.size() - dot.size()) == dot) v.remove_suffix(dot.size()), trimmed = true;
  }
  return std::string(v);
}

std::size_t chars(const std::string& text) {
  std::size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

bool is_boundary(const std::string& text, std::size_t i) {
  return i == 0 || i >= text.size() || (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
}

}  // namespace

void set_initials(Highlight& h) {
  h.initials.clear();
  auto add = [&](const std::string& key) {
    icu::UnicodeString u = icu::UnicodeString::fromUTF8(key);
    if (u.isEmpty()) return;
    auto c = static_cast<char32_t>(u.char32At(0));
    if (h.initials.find(c) == std::u32string::npos) h.initials += c;
  };
  for (const auto& [k, g] : h.terms) add(k);
  for (const auto& [k, g] : h.stems) add(k);
  for (const auto& [k, g] : h.prefixes) add(k);
}

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_escaped(out, text);
  return out;
}

std::string highlight_all(const Analyzer& analyzer, const std::string& text, const Highlight& h, Markup markup) {
  std::vector<Match> matches;
  find_matches(analyzer, text, 0, text.size(), h, matches);
  return render(text, 0, text.size(), matches, markup);
}

std::string snippet(const Analyzer& analyzer, const std::string& text, const Highlight& h, std::size_t max_chars,
                    Markup markup) {
  if (text.empty()) return "";
  // The budget in bytes, from this text's bytes per character.
  std::size_t n_chars = std::max<std::size_t>(1, chars(text));
  std::size_t budget = std::max<std::size_t>(1, max_chars * text.size() / n_chars);
  std::vector<Match> matches;
  std::set<int> groups;
  // Scanning stops at the first paragraph that holds every group, or some
  // way past the first match (a snippet with some of the words beats a
  // slow one with all of them).
  const std::size_t horizon = 16 * budget;
  for (std::size_t p = 0; p < text.size() && groups.size() < static_cast<std::size_t>(h.groups) && matches.size() < 4000 &&
                          (matches.empty() || p < matches.front().begin + horizon);) {
    std::size_t q = text.find("\n\n", p);
    q = q == std::string::npos ? text.size() : q + 2;
    std::size_t before = matches.size();
    find_matches(analyzer, text, p, q, h, matches);
    for (std::size_t i = before; i < matches.size(); ++i) groups.insert(matches[i].group);
    p = q;
  }

  // The window of matches with the most distinct keys (then the most matches).
  std::size_t cluster_begin = 0, cluster_end = 0;
  if (!matches.empty()) {
    std::size_t best_distinct = 0, best_count = 0;
    std::map<int, int> keys;
    std::size_t k = 0;
    for (std::size_t j = 0; j < matches.size(); ++j) {
      if (k < j) k = j;
      while (k < matches.size() && matches[k].end - matches[j].begin <= budget) ++keys[matches[k++].group];
      if (keys.size() > best_distinct || (keys.size() == best_distinct && k - j > best_count)) {
        best_distinct = keys.size();
        best_count = k - j;
        cluster_begin = matches[j].begin;
        cluster_end = k > j ? matches[k - 1].end : matches[j].end;
      }
      if (k > j) {
        auto it = keys.find(matches[j].group);
        if (it != keys.end() && --it->second == 0) keys.erase(it);
      }
    }
  }
  std::size_t start = 0;
  if (cluster_end > 0) {
    std::size_t slack = budget > cluster_end - cluster_begin ? budget - (cluster_end - cluster_begin) : 0;
    start = cluster_begin > slack / 3 ? cluster_begin - slack / 3 : 0;
  }
  std::size_t end = std::min(text.size(), start + budget);
  if (end == text.size()) start = end > budget ? end - budget : 0;
  start = std::min(start, cluster_begin);
  end = std::max(end, cluster_end);
  // Cut at spaces, never inside a word or a character.
  if (start > 0) {
    std::size_t s = start;
    while (s < cluster_begin && s < text.size() && !is_ws(text[s])) ++s;
    if (s < cluster_begin || (cluster_end == 0 && s < text.size())) start = s;
    while (!is_boundary(text, start)) ++start;
  }
  if (end < text.size()) {
    std::size_t e = end;
    while (e > std::max(start, cluster_end) && !is_ws(text[e])) --e;
    if (e > start) end = e;
    while (!is_boundary(text, end)) --end;
  }
  std::string body = render(text, start, end, matches, markup);
  std::string out;
  if (start > 0) out += "\u2026";
  out += body;
  if (end < text.size() && text.find_first_not_of(" \n\t\r", end) != std::string::npos) out += "\u2026";
  return out;
}

}  // namespace defter::indexer
