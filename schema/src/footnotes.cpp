#include "defter/schema/footnotes.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <string_view>

#include "defter/schema/text.hpp"
#include "defter/schema/validate.hpp"

namespace defter::schema {
namespace {

bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

std::string trim(std::string_view s, std::string_view also = "") {
  auto drop = [&](char c) { return space(c) || also.find(c) != std::string_view::npos; };
  while (!s.empty() && drop(s.front())) s.remove_prefix(1);
  while (!s.empty() && drop(s.back())) s.remove_suffix(1);
  return std::string(s);
}

// ASCII letters folded; other bytes as they are (the markers below are
// written in the cases they appear in).
bool starts_with_nocase(std::string_view s, std::string_view p) {
  if (s.size() < p.size()) return false;
  for (std::size_t i = 0; i < p.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != std::tolower(static_cast<unsigned char>(p[i]))) return false;
  return true;
}

std::size_t find_nocase(std::string_view s, std::string_view p, std::size_t from = 0) {
  for (std::size_t i = from; i + p.size() <= s.size(); ++i)
    if (starts_with_nocase(s.substr(i), p)) return i;
  return std::string_view::npos;
}

bool letter_at(std::string_view s, std::size_t i) {
  return i < s.size() && (std::isalpha(static_cast<unsigned char>(s[i])) || static_cast<unsigned char>(s[i]) >= 0x80);
}

bool is_ibid(std::string_view t) {
  static const std::array<std::string_view, 12> kMarks = {"ibid", "ibidem", "İbid", "a.g.e", "age.", "aynı eser",
                                                         "Aynı eser", "там же", "Там же", "op. cit", "op.cit", "agm."};
  for (auto m : kMarks) {
    if (!starts_with_nocase(t, m) || letter_at(t, m.size())) continue;
    if (m.back() == '.') return true;
    // "Ibid." or "Ibid, p. 4", not "Ibidem Press".
    std::size_t i = m.size();
    while (i < t.size() && t[i] == ' ') ++i;
    if (i == t.size() || std::string_view(".,;:").find(t[i]) != std::string_view::npos) return true;
  }
  return false;
}

// The month of a name in English, Turkish or Russian (genitive), 0 if none.
int month_of(std::string_view word) {
  static const std::array<std::array<std::string_view, 12>, 5> kNames = {{
      {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"},
      {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"},
      {"ocak", "şubat", "mart", "nisan", "mayıs", "haziran", "temmuz", "ağustos", "eylül", "ekim", "kasım", "aralık"},
      {"Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül", "Ekim", "Kasım", "Aralık"},
      {"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"},
  }};
  std::string w = trim(word, ".,");
  for (const auto& names : kNames)
    for (int m = 0; m < 12; ++m)
      if (w.size() == names[m].size() && starts_with_nocase(w, names[m])) return m + 1;
  return 0;
}

bool digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

std::optional<std::string> iso(int y, int m, int d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  if (y < 1000 || y > 2999 || !is_real_date(buf)) return std::nullopt;
  return std::string(buf);
}

// A date at the start of `s`: 20.05.2023, 2023-05-20, May 20, 2023,
// 20 May 2023, 20 мая 2023, 20 Mayıs 2023, 2023年5月20日.
std::optional<std::string> read_date(std::string_view s) {
  // After a full-width colon too (Chinese notes: 访问日期：2023年5月20日).
  while (true) {
    std::size_t skip = s.find_first_not_of(" ");
    if (skip == std::string_view::npos) return std::nullopt;
    s.remove_prefix(skip);
    if (s.rfind("\xEF\xBC\x9A", 0) == 0) s.remove_prefix(3);  // ：
    else break;
  }
  std::string t = trim(s, ":");
  int a = 0, b = 0, c = 0;
  // 2023年5月20日
  if (std::sscanf(t.c_str(), "%d\xE5\xB9\xB4%d\xE6\x9C\x88%d\xE6\x97\xA5", &a, &b, &c) == 3 && a >= 1000) return iso(a, b, c);
  char sep1 = 0, sep2 = 0;
  if (std::sscanf(t.c_str(), "%d%c%d%c%d", &a, &sep1, &b, &sep2, &c) == 5 && sep1 == sep2) {
    if ((sep1 == '.' || sep1 == '/') && c >= 1000) return iso(c, b, a);
    if (sep1 == '-' && a >= 1000) return iso(a, b, c);
  }
  // Words: "May 20, 2023" or "20 May 2023".
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < t.size() && words.size() < 3) {
    while (i < t.size() && (space(t[i]) || t[i] == ',')) ++i;
    std::size_t j = i;
    while (j < t.size() && !space(t[j]) && t[j] != ',') ++j;
    if (j > i) words.push_back(trim(t.substr(i, j - i), ".)"));
    i = j;
  }
  if (words.size() == 3) {
    if (int m = month_of(words[0]); m && digits(words[1]) && digits(words[2])) return iso(std::stoi(words[2]), m, std::stoi(words[1]));
    if (int m = month_of(words[1]); m && digits(words[0]) && digits(words[2])) return iso(std::stoi(words[2]), m, std::stoi(words[0]));
  }
  return std::nullopt;
}

std::optional<std::string> access_date(std::string_view t) {
  static const std::array<std::string_view, 13> kMarks = {"date of accession", "date of access", "access date", "accessed on",
                                                          "accessed", "erişim tarihi", "Erişim Tarihi", "Erişim tarihi",
                                                          "erişim:", "дата обращения", "Дата обращения", "访问日期", "访问时间"};
  for (auto m : kMarks) {
    std::size_t at = find_nocase(t, m);
    if (at == std::string_view::npos) continue;
    if (auto d = read_date(t.substr(at + m.size()))) return d;
  }
  return std::nullopt;
}

std::optional<std::string> first_url(std::string_view t) {
  std::size_t at = find_nocase(t, "https://");
  if (at == std::string_view::npos) at = find_nocase(t, "http://");
  if (at == std::string_view::npos) return std::nullopt;
  std::size_t end = at;
  // To a space, or to Chinese punctuation (a full-width comma, bracket or
  // stop: Chinese notes put no space after an address).
  auto chinese_stop = [&](std::size_t i) {
    for (std::string_view p : {"，", "（", "）", "。", "、", "；"})
      if (t.compare(i, p.size(), p) == 0) return true;
    return false;
  };
  while (end < t.size() && !space(t[end]) && !chinese_stop(end)) ++end;
  std::string url(t.substr(at, end - at));
  // Punctuation that closes the note, not the address.
  while (!url.empty() && std::string_view(".,;)]>").find(url.back()) != std::string_view::npos) url.pop_back();
  for (std::string_view closer : {"»", "”", "“"})
    if (url.size() >= closer.size() && url.compare(url.size() - closer.size(), closer.size(), closer) == 0)
      url.resize(url.size() - closer.size());
  if (url.size() <= 8 || url.size() > 4096) return std::nullopt;
  // A scheme is case-insensitive; the url field holds it in lower case.
  for (std::size_t i = 0; url[i] != ':'; ++i) url[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(url[i])));
  return url;
}

struct Quoted {
  std::size_t open = 0, close = 0, after = 0;  // the title is [open, close); the rest begins at after
};

std::optional<Quoted> first_quoted(std::string_view t) {
  static const std::array<std::pair<std::string_view, std::string_view>, 6> kPairs = {
      {{"“", "”"}, {"«", "»"}, {"„", "“"}, {"\"", "\""}, {"‘", "’"}, {"《", "》"}}};
  std::optional<Quoted> best;
  for (const auto& [o, c] : kPairs) {
    std::size_t at = t.find(o);
    if (at == std::string_view::npos || (best && at >= best->open)) continue;
    // Quotes nest («Китай-Кыргызстан-Узбекистан» inside “…”): the outer one closes last on the same level.
    std::size_t close = t.find(c, at + o.size());
    if (o == "“") {
      // A title may itself hold “…”: take the closer that is followed by a separator.
      std::size_t probe = close;
      while (probe != std::string_view::npos) {
        std::size_t next = probe + c.size();
        while (next < t.size() && t[next] == ' ') ++next;
        if (next >= t.size() || t[next] == ',' || t[next] == '.' || t[next] == '(') break;
        probe = t.find(c, next);
      }
      if (probe != std::string_view::npos) close = probe;
    }
    if (close == std::string_view::npos) continue;
    best = Quoted{at + o.size(), close, close + c.size()};
  }
  return best;
}

bool looks_like_date(std::string_view s) {
  std::string t = trim(s, ".");
  if (t.empty()) return false;
  if (digits(t)) return true;  // a year
  int digit = 0;
  for (char c : t) digit += std::isdigit(static_cast<unsigned char>(c)) ? 1 : 0;
  if (digit > 0 && t.find_first_of(".-/") != std::string::npos && digit * 2 >= static_cast<int>(t.size())) return true;
  std::size_t sp = t.find(' ');
  return month_of(t.substr(0, sp)) != 0 || (sp != std::string::npos && month_of(t.substr(sp + 1)) != 0);
}

// The publisher among the comma-separated parts after a quoted title
// (Chinese full-width commas and brackets read as theirs: 《标题》，新华社，（访问日期：…）).
std::optional<std::string> publisher_after(std::string_view original) {
  std::string normal(original);
  for (const auto& [wide, narrow] : {std::pair<std::string_view, std::string_view>{"，", ","}, {"（", "("}, {"。", "."}})
    normal = replaced_all(normal, wide, narrow);
  std::string_view rest(normal);
  std::size_t i = 0;
  while (i <= rest.size()) {
    std::size_t j = rest.find(',', i);
    if (j == std::string_view::npos) j = rest.size();
    std::string part = trim(rest.substr(i, j - i), ".");
    i = j + 1;
    if (part.empty()) continue;
    if (part[0] == '(' || part.find("http") != std::string::npos || starts_with_nocase(part, "url") ||
        starts_with_nocase(part, "accessed") || starts_with_nocase(part, "erişim") || looks_like_date(part))
      continue;
    if (std::islower(static_cast<unsigned char>(part[0])) || std::isdigit(static_cast<unsigned char>(part[0]))) return std::nullopt;
    int words = 1;
    for (char c : part) words += c == ' ' ? 1 : 0;
    if (part.size() > 120 || words > 8) return std::nullopt;
    return part;
  }
  return std::nullopt;
}

// GOST: "Автор И. И. Название // Издание. 2023. URL: …": the title is what
// precedes "//" without the author's surname and initials, the publisher
// what follows it up to the first full stop or comma.
void read_gost(std::string_view t, std::size_t slashes, CitedSource& out) {
  std::string before = trim(t.substr(0, slashes), ".");
  // Drop a leading "Surname I. I." or "Surname I.I.".
  std::size_t pos = 0, last_initial = std::string::npos;
  while (true) {
    std::size_t dot = before.find('.', pos);
    if (dot == std::string::npos) break;
    // An initial: one letter (one or two bytes) just before the dot.
    if (dot == 0) break;
    std::size_t letter_start = dot - 1;
    while (letter_start > 0 && (static_cast<unsigned char>(before[letter_start]) & 0xC0) == 0x80) --letter_start;
    bool initial = dot - letter_start <= 2 && (letter_start == 0 || before[letter_start - 1] == ' ' || before[letter_start - 1] == '.');
    if (!initial) break;
    last_initial = dot;
    pos = dot + 1;
  }
  std::string title = trim(last_initial == std::string::npos ? std::string_view(before) : std::string_view(before).substr(last_initial + 1));
  if (!title.empty()) out.title = title;
  std::string_view after = t.substr(slashes + 2);
  std::size_t end = after.find_first_of(".,");
  std::string publisher = trim(after.substr(0, end));
  if (!publisher.empty() && publisher.size() <= 120) out.publisher = publisher;
}

bool fits_text(const std::optional<std::string>& s) {
  return s && !s->empty() && s->size() <= 2000 && s->find('\n') == std::string::npos;
}

}  // namespace

CitedSource read_footnote(const std::string& text) {
  CitedSource out;
  std::string t = trim(text);
  if (t.empty()) return out;
  if (is_ibid(t)) {
    out.ibid = true;
    return out;
  }
  out.url = first_url(t);
  out.accessed = access_date(t);
  if (std::size_t slashes = t.find(" // "); slashes != std::string::npos) {
    read_gost(t, slashes + 1, out);
  } else if (auto q = first_quoted(t)) {
    std::string title = trim(std::string_view(t).substr(q->open, q->close - q->open), ",.");
    if (!title.empty()) out.title = title;
    out.publisher = publisher_after(std::string_view(t).substr(q->after));
  }
  if (!fits_text(out.title)) out.title.reset();
  if (!fits_text(out.publisher)) out.publisher.reset();
  return out;
}

void complete_footnotes(std::vector<Footnote>& notes) {
  const Footnote* previous = nullptr;
  for (auto& f : notes) {
    if (!f.title && !f.publisher && !f.url && !f.accessed) {
      CitedSource s = read_footnote(f.text);
      if (s.ibid) {
        if (previous) {
          f.title = previous->title;
          f.publisher = previous->publisher;
          f.url = previous->url;
        }
      } else {
        f.title = s.title;
        f.publisher = s.publisher;
        f.url = s.url;
        f.accessed = s.accessed;
      }
    }
    previous = &f;
  }
}

}  // namespace defter::schema
