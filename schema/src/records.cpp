#include "defter/schema/records.hpp"

#include <nlohmann/json.hpp>

namespace defter::schema {
namespace {

template <typename T>
void put_opt(nlohmann::json& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = *v;
}
template <typename T>
void get_opt(const nlohmann::json& j, const char* key, std::optional<T>& v) {
  if (auto it = j.find(key); it != j.end()) v = it->template get<T>();
}
template <typename T>
void put_nonempty(nlohmann::json& j, const char* key, const T& v) {
  if (!v.empty()) j[key] = v;
}
template <typename T>
void get_or_empty(const nlohmann::json& j, const char* key, T& v) {
  if (auto it = j.find(key); it != j.end()) v = it->template get<T>();
}

void put_translation_fields(nlohmann::json& j, const Translation& v) {
  j["title"] = v.title;
  put_opt(j, "subtitle", v.subtitle);
  j["body"] = v.body;
  put_nonempty(j, "footnotes", v.footnotes);
  put_opt(j, "translator", v.translator);
  put_opt(j, "modified", v.modified);
}

}  // namespace

const char* type_name(RecordType type) {
  switch (type) {
    case RecordType::kAuthor: return "author";
    case RecordType::kArticle: return "article";
    case RecordType::kTranslation: return "translation";
  }
  return "?";
}

RecordType type_of(const Record& record) { return static_cast<RecordType>(record.index()); }

void to_json(nlohmann::json& j, const Footnote& v) {
  j = nlohmann::json::object();
  j["n"] = v.n;
  j["text"] = v.text;
  put_opt(j, "title", v.title);
  put_opt(j, "publisher", v.publisher);
  put_opt(j, "url", v.url);
  put_opt(j, "accessed", v.accessed);
}

void from_json(const nlohmann::json& j, Footnote& v) {
  v.n = j.at("n").get<int>();
  v.text = j.at("text").get<std::string>();
  get_opt(j, "title", v.title);
  get_opt(j, "publisher", v.publisher);
  get_opt(j, "url", v.url);
  get_opt(j, "accessed", v.accessed);
}

void to_json(nlohmann::json& j, const Translation& v) {
  j = nlohmann::json::object();
  put_translation_fields(j, v);
}

void from_json(const nlohmann::json& j, Translation& v) {
  v.title = j.at("title").get<std::string>();
  get_opt(j, "subtitle", v.subtitle);
  v.body = j.at("body").get<std::string>();
  get_or_empty(j, "footnotes", v.footnotes);
  get_opt(j, "translator", v.translator);
  get_opt(j, "modified", v.modified);
}

void to_json(nlohmann::json& j, const Author& v) {
  j = nlohmann::json::object();
  j["type"] = "author";
  j["id"] = v.id;
  j["name"] = v.name;
  put_opt(j, "honorific", v.honorific);
  put_opt(j, "affiliation", v.affiliation);
  put_nonempty(j, "topics", v.topics);
  put_nonempty(j, "bio", v.bio);
}

void from_json(const nlohmann::json& j, Author& v) {
  v.id = j.at("id").get<std::string>();
  v.name = j.at("name").get<std::string>();
  get_opt(j, "honorific", v.honorific);
  get_opt(j, "affiliation", v.affiliation);
  get_or_empty(j, "topics", v.topics);
  get_or_empty(j, "bio", v.bio);
}

void to_json(nlohmann::json& j, const Article& v) {
  j = nlohmann::json::object();
  j["type"] = "article";
  j["id"] = v.id;
  if (!v.published.empty()) j["published"] = v.published;  // absent: undated
  j["authors"] = v.authors;
  j["original_language"] = v.original_language;
  put_nonempty(j, "countries", v.countries);
  put_nonempty(j, "not_countries", v.not_countries);
  put_nonempty(j, "tags", v.tags);
  put_opt(j, "source_url", v.source_url);
  put_nonempty(j, "translations", v.translations);
}

void from_json(const nlohmann::json& j, Article& v) {
  v.id = j.at("id").get<std::string>();
  v.published = j.value("published", std::string());  // undated
  get_or_empty(j, "authors", v.authors);             // unsigned
  v.original_language = j.at("original_language").get<std::string>();
  get_or_empty(j, "countries", v.countries);
  get_or_empty(j, "not_countries", v.not_countries);
  get_or_empty(j, "tags", v.tags);
  get_opt(j, "source_url", v.source_url);
  get_or_empty(j, "translations", v.translations);
}

void to_json(nlohmann::json& j, const TranslationRecord& v) {
  j = nlohmann::json::object();
  j["type"] = "translation";
  j["article"] = v.article;
  j["lang"] = v.lang;
  put_translation_fields(j, v.translation);
}

void from_json(const nlohmann::json& j, TranslationRecord& v) {
  v.article = j.at("article").get<std::string>();
  v.lang = j.at("lang").get<std::string>();
  from_json(j, v.translation);
}

void to_json(nlohmann::json& j, const Record& v) {
  std::visit([&j](const auto& r) { to_json(j, r); }, v);
}

std::string to_json_line(const Record& record) {
  nlohmann::json j;
  to_json(j, record);
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
}

}  // namespace defter::schema
