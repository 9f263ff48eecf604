// Authors named in documents (internal to archive/): matched to the
// archive's by id or by name across scripts and accents, else created.
#pragma once

#include <unicode/translit.h>
#include <unicode/unistr.h>

#include <cctype>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "defter/archive/archive.hpp"

namespace defter::archive::author_names {

using nlohmann::json;

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

}  // namespace defter::archive::author_names
