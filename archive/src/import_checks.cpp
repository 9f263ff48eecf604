#include "import_checks.hpp"

#include <set>

#include "defter/schema/text.hpp"

namespace defter::archive::import_parts {

using schema::RecordType;

std::optional<schema::FieldError> over_limits(const Reader& reader, const EncodedRecord& record) {
  if (record.type != RecordType::kArticle && record.type != RecordType::kTranslation)
    return std::nullopt;
  auto stored = reader.translation_languages(record.id);
  std::set<std::string> langs(stored.begin(), stored.end());
  if (record.type == RecordType::kTranslation) langs.insert(record.lang);
  for (const auto& part : record.translations) langs.insert(part.lang);
  if (langs.size() <= schema::kMaxTranslations) return std::nullopt;
  return schema::FieldError{record.type == RecordType::kTranslation ? "lang" : "translations",
                            "article '" + record.id + "' would have " +
                                std::to_string(langs.size()) + " translations; at most " +
                                std::to_string(schema::kMaxTranslations) + " are allowed"};
}

std::optional<schema::FieldError> missing_reference(
    const Reader& reader, const EncodedRecord& record,
    const std::unordered_map<std::string, int>& dry_ids,
    std::optional<std::vector<std::string>>* known_authors) {
  if (record.type == RecordType::kArticle) {
    for (std::size_t i = 0; i < record.authors.size(); ++i)
      if (!reader.has_author(record.authors[i]) && !dry_ids.count("author:" + record.authors[i])) {
        std::vector<std::string> near;
        if (known_authors) {
          if (!*known_authors) {
            *known_authors = reader.author_ids();
            for (const auto& [key, n] : dry_ids)
              if (key.rfind("author:", 0) == 0) (*known_authors)->push_back(key.substr(7));
          }
          near = schema::nearest(record.authors[i], **known_authors);
        }
        return schema::FieldError{
            "authors[" + std::to_string(i) + "]",
            "unknown author '" + record.authors[i] + "': not in the archive nor in this import" +
                (near.empty() ? "" : " (did you mean " + schema::one_of(near) + "?)")};
      }
  } else if (record.type == RecordType::kTranslation) {
    if (!reader.has_article(record.id) && !dry_ids.count("article:" + record.id))
      return schema::FieldError{
          "article", "unknown article '" + record.id + "': not in the archive nor in this import"};
  }
  return std::nullopt;
}

}  // namespace defter::archive::import_parts
