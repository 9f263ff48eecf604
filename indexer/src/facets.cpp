#include "facets.hpp"

#include <algorithm>
#include <optional>

#include "defter/indexer/fields.hpp"
#include "defter/indexer/index_schema.hpp"

namespace defter::indexer {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find(sep, start);
    if (end == std::string::npos) end = s.size();
    if (end > start) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

std::uint32_t Interner::id(const std::string& s) {
  auto [it, added] = ids_.emplace(s, static_cast<std::uint32_t>(strings_.size()));
  if (added) strings_.push_back(s);
  return it->second;
}

void FacetTable::load(const Xapian::Database& db) {
  *this = FacetTable();
  docs_.resize(static_cast<std::size_t>(db.get_lastdocid()) + 1);
  for (auto v = db.valuestream_begin(slot::kCollapse); v != db.valuestream_end(slot::kCollapse); ++v) {
    Doc& d = docs_[v.get_docid()];
    d.key = keys_.id(*v);
    d.author_record = (*v).rfind("u:", 0) == 0;
  }
  std::vector<std::uint32_t> per_key(keys_.size());
  for (const auto& d : docs_)
    if (d.key != kNone) max_per_key_ = std::max<std::size_t>(max_per_key_, ++per_key[d.key]);
  for (auto v = db.valuestream_begin(slot::kLang); v != db.valuestream_end(slot::kLang); ++v)
    docs_[v.get_docid()].lang = langs.id(*v);
  std::vector<std::string> end(docs_.size());
  for (auto v = db.valuestream_begin(slot::kDateEnd); v != db.valuestream_end(slot::kDateEnd); ++v) end[v.get_docid()] = *v;
  for (auto v = db.valuestream_begin(slot::kDateStart); v != db.valuestream_end(slot::kDateStart); ++v) {
    const std::string& start = *v;
    if (start.size() != 8) continue;
    Doc& d = docs_[v.get_docid()];
    d.year = years.id(start.substr(0, 4));
    // A month only for dates known to the month.
    const std::string& e = end[v.get_docid()];
    if (e.size() == 8 && start.compare(0, 6, e, 0, 6) == 0) d.month = months.id(start.substr(0, 4) + "-" + start.substr(4, 2));
  }
  // Undated articles (no date value) count as the year "undated".
  for (auto& d : docs_)
    if (d.key != kNone && !d.author_record && d.year == kNone) d.year = years.id(std::string(kUndated));
  // Authors and countries, in docid order (value streams are), into one flat list.
  std::vector<std::string> author_values(docs_.size());
  for (auto v = db.valuestream_begin(slot::kAuthors); v != db.valuestream_end(slot::kAuthors); ++v) author_values[v.get_docid()] = *v;
  std::vector<std::string> country_values(docs_.size());
  for (auto v = db.valuestream_begin(slot::kCountries); v != db.valuestream_end(slot::kCountries); ++v) country_values[v.get_docid()] = *v;
  for (std::size_t id = 0; id < docs_.size(); ++id) {
    Doc& d = docs_[id];
    if (d.key == kNone) continue;
    d.first = static_cast<std::uint32_t>(ids_.size());
    if (d.author_record) continue;  // an author's own document counts as a type only
    for (const auto& a : split(author_values[id], '\t')) {
      ids_.push_back(authors.id(a));
      ++d.authors;
    }
    const std::string& c = country_values[id];
    std::size_t bar = c.find('|');
    for (const auto& code : split(c.substr(0, bar), ',')) {
      ids_.push_back(countries.id(code));
      ++d.subject;
    }
    if (bar != std::string::npos)
      for (const auto& code : split(c.substr(bar + 1), ',')) {
        ids_.push_back(countries.id(code));
        ++d.mentioned;
      }
  }
}

std::uint32_t Interner::find(const std::string& s) const {
  auto it = ids_.find(s);
  return it == ids_.end() ? FacetTable::kNone : it->second;
}

namespace {

bool wants(const std::set<std::string>& wanted, FieldId id) { return wanted.count(std::string(field(id).name)) > 0; }

// The facet of a name (fields.hpp), or nullopt.
std::optional<FieldId> facet_id(const std::string& name) {
  const Field* f = find_field(name);
  if (!f || !f->facet) return std::nullopt;
  return f->id;
}

}  // namespace

FacetSpy::FacetSpy(const FacetTable& table, const std::set<std::string>& wanted)
    : table_(table),
      lang_(wants(wanted, FieldId::kLang)),
      type_(wants(wanted, FieldId::kType)),
      country_(wants(wanted, FieldId::kCountry)),
      author_(wants(wanted, FieldId::kAuthor)),
      year_(wants(wanted, FieldId::kYear)),
      month_(wants(wanted, FieldId::kMonth)),
      seen_(table.keys()),
      lang_counts_(lang_ ? table.langs.size() : 0),
      year_counts_(year_ ? table.years.size() : 0),
      month_counts_(month_ ? table.months.size() : 0),
      author_counts_(author_ ? table.authors.size() : 0),
      subject_counts_(country_ ? table.countries.size() : 0),
      mentioned_counts_(country_ ? table.countries.size() : 0) {}

void FacetSpy::operator()(const Xapian::Document& doc, double) {
  const FacetTable::Doc* d = table_.doc(doc.get_docid());
  if (!d) return;  // newer than the table: cannot happen while the reader stays at the table's revision
  if (inner_ && passes(*d)) (*inner_)(doc, 0);
  ++docs_;
  if (lang_ && d->lang != FacetTable::kNone) ++lang_counts_[d->lang];
  if (seen_[d->key]) return;
  seen_[d->key] = true;
  ++keys_;
  if (d->author_record) {
    ++author_records_;
    return;
  }
  ++articles_;
  if (year_ && d->year != FacetTable::kNone) ++year_counts_[d->year];
  if (month_ && d->month != FacetTable::kNone) ++month_counts_[d->month];
  const std::uint32_t* ids = table_.ids().data() + d->first;
  if (author_)
    for (std::uint16_t i = 0; i < d->authors; ++i) ++author_counts_[ids[i]];
  ids += d->authors;
  if (country_) {
    for (std::uint16_t i = 0; i < d->subject; ++i) ++subject_counts_[ids[i]];
    for (std::uint16_t i = 0; i < d->mentioned; ++i) ++mentioned_counts_[ids[d->subject + i]];
  }
}

void FacetSpy::clear() {
  docs_ = keys_ = articles_ = author_records_ = 0;
  seen_.assign(seen_.size(), false);
  for (auto* counts : {&lang_counts_, &year_counts_, &month_counts_, &author_counts_, &subject_counts_, &mentioned_counts_})
    counts->assign(counts->size(), 0);
}

bool FacetSpy::feed(FacetSpy& inner, const std::string& facet, const std::set<std::string>& values) {
  auto id = facet_id(facet);
  if (!id) return false;
  const Interner* names = nullptr;
  switch (*id) {
    case FieldId::kLang: names = &table_.langs, feed_by_ = Feed::kLang; break;
    case FieldId::kYear: names = &table_.years, feed_by_ = Feed::kYear; break;
    case FieldId::kMonth: names = &table_.months, feed_by_ = Feed::kMonth; break;
    case FieldId::kCountry: names = &table_.countries, feed_by_ = Feed::kCountry; break;
    case FieldId::kType: feed_by_ = Feed::kType; break;
    default: return false;  // an author is not in the table as one value a document
  }
  feed_ids_.assign(names ? names->size() : 0, false);
  for (const auto& v : values) {
    if (names) {
      if (auto vid = names->find(v); vid != FacetTable::kNone) feed_ids_[vid] = true;
    } else {
      feed_articles_ = feed_articles_ || v == "article";
      feed_authors_ = feed_authors_ || v == "author";
    }
  }
  inner_ = &inner;
  return true;
}

bool FacetSpy::passes(const FacetTable::Doc& d) const {
  auto in = [&](std::uint32_t id) { return id != FacetTable::kNone && feed_ids_[id]; };
  switch (feed_by_) {
    case Feed::kLang: return in(d.lang);
    case Feed::kYear: return in(d.year);
    case Feed::kMonth: return in(d.month);
    case Feed::kType: return d.author_record ? feed_authors_ : feed_articles_;
    case Feed::kCountry: break;
  }
  const std::uint32_t* ids = table_.ids().data() + d.first + d.authors;  // country: subject or mentioned
  for (std::uint16_t i = 0; i < d.subject + d.mentioned; ++i)
    if (feed_ids_[ids[i]]) return true;
  return false;
}

std::map<std::string, std::uint64_t> FacetSpy::counts(const std::string& facet) const {
  std::map<std::string, std::uint64_t> out;
  auto add = [&](const Interner& names, const std::vector<std::uint64_t>& counts) {
    for (std::size_t i = 0; i < counts.size(); ++i)
      if (counts[i]) out[names.str(static_cast<std::uint32_t>(i))] += counts[i];
  };
  auto id = facet_id(facet);
  if (!id) return out;
  switch (*id) {
    case FieldId::kLang: add(table_.langs, lang_counts_); break;
    case FieldId::kYear: add(table_.years, year_counts_); break;
    case FieldId::kMonth: add(table_.months, month_counts_); break;
    case FieldId::kAuthor: add(table_.authors, author_counts_); break;
    case FieldId::kCountry:
      add(table_.countries, subject_counts_);
      add(table_.countries, mentioned_counts_);
      break;
    case FieldId::kType:
      if (!type_) break;
      if (articles_) out["article"] = articles_;
      if (author_records_) out["author"] = author_records_;
      break;
    default: break;
  }
  return out;
}

std::uint64_t FacetSpy::subject(const std::string& country) const {
  auto id = table_.countries.find(country);
  return id < subject_counts_.size() ? subject_counts_[id] : 0;
}

std::uint64_t FacetSpy::mentioned(const std::string& country) const {
  auto id = table_.countries.find(country);
  return id < mentioned_counts_.size() ? mentioned_counts_[id] : 0;
}

}  // namespace defter::indexer
