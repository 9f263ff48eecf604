#include "defter/schema/validate.hpp"
#include "defter/schema/footnotes.hpp"
#include "defter/schema/json_text.hpp"
#include "defter/schema/partial_date.hpp"

#include <algorithm>
#include <charconv>
#include <regex>
#include <map>

#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "defter/schema/codes.hpp"
#include "schemas_data.hpp"

namespace defter::schema {
namespace {

using nlohmann::json;

constexpr std::string_view kLineSchema = "import-line.json";

std::string_view base_name(std::string_view uri) {
  if (auto hash = uri.find('#'); hash != std::string_view::npos) uri = uri.substr(0, hash);
  if (auto slash = uri.rfind('/'); slash != std::string_view::npos) uri = uri.substr(slash + 1);
  return uri;
}

// A place in a record: "translations" "en" "footnotes" [2] "accessed".
struct Segment {
  std::string key;
  bool index = false;
};
using Path = std::vector<Segment>;

std::string render(const Path& path) {
  std::string out;
  for (const auto& seg : path) {
    if (seg.index) out += "[" + seg.key + "]";
    else out += (out.empty() ? "" : ".") + seg.key;
  }
  return out;
}

const json* value_at(const json& root, const Path& path) {
  const json* at = &root;
  for (const auto& seg : path) {
    if (seg.index) {
      std::size_t i = 0;
      auto [p, ec] = std::from_chars(seg.key.data(), seg.key.data() + seg.key.size(), i);
      if (ec != std::errc() || !at->is_array() || i >= at->size()) return nullptr;
      at = &(*at)[i];
    } else {
      if (!at->is_object() || !at->contains(seg.key)) return nullptr;
      at = &(*at)[seg.key];
    }
  }
  return at;
}

// Turns valijson's context (["<root>", "[translations]", "[en]", "[footnotes]", "[2]"])
// into a Path, looking at the value to tell indices from property names.
Path to_path(const std::vector<std::string>& context, const json& root) {
  Path path;
  const json* at = &root;
  for (const auto& part : context) {
    if (part == "<root>" || part.size() < 2 || part.front() != '[') continue;
    Segment seg{part.substr(1, part.size() - 2), at && at->is_array()};
    path.push_back(seg);
    at = at ? value_at(*at, {seg}) : nullptr;
  }
  return path;
}

const char* json_type(const json& v) {
  switch (v.type()) {
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::null: return "null";
    case json::value_t::number_float: return "a number";
    default: return "an integer";
  }
}

// Walks the schema documents alongside a record: which schema nodes apply at
// a path (following $ref, allOf and the import line's if/then), what fields
// they declare, and how they describe a value. The schema files stay the
// only description of the format; this only reads them.
class SchemaWalker {
 public:
  using Nodes = std::vector<std::pair<const json*, const json*>>;  // (node, its document)

  SchemaWalker(const std::map<std::string, json, std::less<>>& docs, const json& record)
      : docs_(docs), record_(record) {}

  Nodes root(const json& line_schema) const {
    Nodes out;
    collect(line_schema, line_schema, out, 0);
    return out;
  }

  // The nodes that apply to the child `seg` of a value the `nodes` apply to.
  Nodes child(const Nodes& nodes, const Segment& seg) const {
    Nodes out;
    for (auto& [node, doc] : nodes) {
      if (seg.index) {
        if (auto items = node->find("items"); items != node->end() && items->is_object())
          collect(*items, *doc, out, 0);
      } else if (auto props = node->find("properties"); props != node->end() && props->contains(seg.key)) {
        collect((*props)[seg.key], *doc, out, 0);
      } else if (auto extra = node->find("additionalProperties"); extra != node->end() && extra->is_object()) {
        collect(*extra, *doc, out, 0);
      }
    }
    return out;
  }

  Nodes at(const json& line_schema, const Path& path) const {
    Nodes nodes = root(line_schema);
    for (const auto& seg : path) nodes = child(nodes, seg);
    return nodes;
  }

  // The first value of `keyword` among the nodes.
  static const json* find(const Nodes& nodes, const char* keyword) {
    for (auto& [node, doc] : nodes)
      if (auto it = node->find(keyword); it != node->end()) return &*it;
    return nullptr;
  }

  // The nodes of a propertyNames schema among `nodes`.
  Nodes property_names(const Nodes& nodes) const {
    Nodes out;
    for (auto& [node, doc] : nodes)
      if (auto it = node->find("propertyNames"); it != node->end()) collect(*it, *doc, out, 0);
    return out;
  }

  // Appends a warning for every field of `value` that no schema declares.
  void unknown_fields(const json& value, const Nodes& nodes, const Path& path,
                      std::vector<FieldError>& out) const {
    if (value.is_object()) {
      bool declares = find(nodes, "properties") != nullptr;
      for (auto& [key, child_value] : value.items()) {
        Path child_path = path;
        child_path.push_back({key, false});
        Nodes child_nodes = child(nodes, child_path.back());
        if (child_nodes.empty() && declares) out.push_back({render(child_path), "unknown field, ignored"});
        else unknown_fields(child_value, child_nodes, child_path, out);
      }
    } else if (value.is_array()) {
      for (std::size_t i = 0; i < value.size(); ++i) {
        Path child_path = path;
        child_path.push_back({std::to_string(i), true});
        unknown_fields(value[i], child(nodes, child_path.back()), child_path, out);
      }
    }
  }

 private:
  void collect(const json& node, const json& doc, Nodes& out, int depth) const {
    if (!node.is_object() || depth > 16) return;
    out.emplace_back(&node, &doc);
    if (auto ref = node.find("$ref"); ref != node.end()) {
      auto [target, target_doc] = resolve(ref->get<std::string>(), doc);
      if (target) collect(*target, *target_doc, out, depth + 1);
    }
    if (auto all = node.find("allOf"); all != node.end()) {
      for (auto& branch : *all) {
        collect(branch, doc, out, depth + 1);
        if (auto then = branch.find("then"); then != branch.end() && branch_applies(branch))
          collect(*then, doc, out, depth + 1);
      }
    }
  }

  // An if/then branch applies when its "if" (consts on the record's
  // top-level properties) holds.
  bool branch_applies(const json& branch) const {
    auto cond = branch.find("if");
    if (cond == branch.end()) return true;
    auto properties = cond->find("properties");
    if (properties == cond->end()) return true;
    for (auto it = properties->begin(); it != properties->end(); ++it) {
      auto c = it->find("const");
      if (c == it->end()) continue;
      auto actual = record_.is_object() ? record_.find(it.key()) : record_.end();
      if (!record_.is_object() || actual == record_.end() || *actual != *c) return false;
    }
    return true;
  }

  std::pair<const json*, const json*> resolve(const std::string& ref, const json& doc) const {
    const json* target_doc = &doc;
    if (!ref.empty() && ref.front() != '#') {
      auto it = docs_.find(base_name(ref));
      if (it == docs_.end()) return {nullptr, nullptr};
      target_doc = &it->second;
    }
    auto hash = ref.find('#');
    if (hash == std::string::npos || hash + 1 == ref.size()) return {target_doc, target_doc};
    json::json_pointer pointer(ref.substr(hash + 1));
    if (!target_doc->contains(pointer)) return {nullptr, nullptr};
    return {&target_doc->at(pointer), target_doc};
  }

  const std::map<std::string, json, std::less<>>& docs_;
  const json& record_;
};

// A schema description as the end of a sentence: "expected " + this.
std::string as_expectation(const json& description) {
  std::string text = description.get<std::string>();
  if (!text.empty() && text.front() >= 'A' && text.front() <= 'Z' && text.rfind("ISO", 0) != 0 && text.rfind("BCP", 0) != 0)
    text.front() = static_cast<char>(text.front() - 'A' + 'a');
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

std::string quote(const json& v) { return v.is_string() ? "'" + v.get<std::string>() + "'" : v.dump(); }

std::string joined(const json& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ", ") + (v.is_string() ? v.get<std::string>() : v.dump());
  return out;
}

// " (did you mean 'KZ'?)" for a value that fails a code's pattern, when the
// schema's description says which kind of code the place holds.
std::string did_you_mean(const json* about, const std::string& value) {
  if (!about || !about->is_string()) return "";
  const std::string& text = about->get_ref<const std::string&>();
  std::string meant = text.find("country code") != std::string::npos  ? suggest_country_code(value)
                      : text.find("language tag") != std::string::npos ? suggest_language_tag(value)
                                                                        : "";
  return meant.empty() ? "" : " (did you mean '" + meant + "'?)";
}

// Says in words why the value at `path` failed, from valijson's description
// and what the schema says of that place.
FieldError explain(const std::string& description, Path path, const json& record, const SchemaWalker& walker,
                   const json& line_schema) {
  const json* value = value_at(record, path);
  auto nodes = walker.at(line_schema, path);
  const json* about = SchemaWalker::find(nodes, "description");
  std::string reason = description;
  if (description.rfind("Missing required property '", 0) == 0) {
    std::string name = description.substr(27, description.find('\'', 27) - 27);
    path.push_back({name, false});
    reason = "required field is missing";
  } else if (description.rfind("Failed to match regex", 0) == 0 && value) {
    reason = quote(*value) + " is not valid here";
    if (value->is_string()) reason += did_you_mean(about, value->get<std::string>());
    if (about) reason += ": expected " + as_expectation(*about);
  } else if (description.rfind("Value type not permitted", 0) == 0 && value) {
    const json* type = SchemaWalker::find(nodes, "type");
    reason = "expected " + (type ? std::string(type->is_string() ? "" : "one of ") + joined(type->is_array() ? *type : json::array({*type})) : std::string("another type")) +
             ", got " + json_type(*value);
    if (path.empty()) reason = "a record must be a JSON object with a \"type\"; got " + std::string(json_type(*value));
  } else if (description.rfind("Failed to match against any enum", 0) == 0 && value) {
    const json* values = SchemaWalker::find(nodes, "enum");
    reason = quote(*value) + " is not one of: " + (values ? joined(*values) : "the allowed values");
  } else if (description.rfind("Failed to match expected value set by 'const'", 0) == 0) {
    const json* c = SchemaWalker::find(nodes, "const");
    reason = "must be " + (c ? quote(*c) : std::string("another value"));
  } else if (description.rfind("Expected number greater than or equal to", 0) == 0) {
    const json* min = SchemaWalker::find(nodes, "minimum");
    reason = "must be at least " + (min ? min->dump() : description.substr(41));
  } else if (description.rfind("Expected number less than or equal to", 0) == 0) {
    const json* max = SchemaWalker::find(nodes, "maximum");
    reason = "must be at most " + (max ? max->dump() : description.substr(38));
  } else if (description.find("fewer than 1 characters") != std::string::npos) {
    reason = "must not be empty";
  } else if (description.find("violate uniqueness") != std::string::npos) {
    reason = "the same value is listed twice (" + description.substr(0, description.find(" violate")) + ")";
  }
  return {render(path), reason};
}

// valijson reports the failing leaf, then every enclosing schema that failed
// because of it; the leaf is the useful one.
bool is_summary(const std::string& description) {
  return description.rfind("Failed to validate against", 0) == 0 ||
         description.rfind("Failed to validate item #", 0) == 0;
}

void check_date(const std::optional<std::string>& date, const std::string& field,
                std::vector<FieldError>& errors) {
  if (date && !is_real_date(*date)) errors.push_back({field, "'" + *date + "' is not a calendar date"});
}

void check_lang(const std::string& tag, const std::string& field, std::vector<FieldError>& errors) {
  if (is_known_language_tag(tag)) return;
  std::string meant = suggest_language_tag(tag);
  errors.push_back({field, "'" + tag + "' is not a known language tag (" +
                               (meant.empty() ? "" : "did you mean '" + meant + "'? ") +
                               "ISO 639 language, ISO 15924 script, ISO 3166-1 region; e.g. en, tr, ru, zh-Hans)"});
}

std::string not_a_country(const std::string& code) {
  std::string meant = suggest_country_code(code);
  return "'" + code + "' is not an ISO 3166-1 alpha-2 country code" + (meant.empty() ? "" : " (did you mean '" + meant + "'?)");
}

void check_translation(const Translation& t, const std::string& prefix, std::vector<FieldError>& errors) {
  for (std::size_t i = 0; i < t.footnotes.size(); ++i)
    check_date(t.footnotes[i].accessed, prefix + "footnotes[" + std::to_string(i) + "].accessed", errors);
  check_date(t.modified, prefix + "modified", errors);
}

void check_semantics(const Record& record, std::vector<FieldError>& errors) {
  if (auto* a = std::get_if<Author>(&record)) {
    for (auto& [lang, text] : a->bio) check_lang(lang, "bio." + lang, errors);
  } else if (auto* ar = std::get_if<Article>(&record)) {
    if (!ar->published.empty()) check_date(ar->published, "published", errors);
    check_lang(ar->original_language, "original_language", errors);
    for (std::size_t i = 0; i < ar->countries.size(); ++i)
      if (!is_country_code(ar->countries[i]))
        errors.push_back({"countries[" + std::to_string(i) + "]", not_a_country(ar->countries[i])});
    for (std::size_t i = 0; i < ar->not_countries.size(); ++i) {
      const std::string& c = ar->not_countries[i];
      std::string field = "not_countries[" + std::to_string(i) + "]";
      if (!is_country_code(c)) errors.push_back({field, not_a_country(c)});
      else if (std::find(ar->countries.begin(), ar->countries.end(), c) != ar->countries.end())
        errors.push_back({field, "'" + c + "' is also one of the article's countries: it cannot be both"});
    }
    for (auto& [lang, t] : ar->translations) {
      check_lang(lang, "translations." + lang, errors);
      check_translation(t, "translations." + lang + ".", errors);
    }
  } else if (auto* tr = std::get_if<TranslationRecord>(&record)) {
    check_lang(tr->lang, "lang", errors);
    check_translation(tr->translation, "", errors);
  }
}

}  // namespace

bool is_real_date(std::string_view date) { return PartialDate::parse(date).has_value(); }

bool is_known_language_tag(std::string_view tag) {
  std::size_t start = 0;
  int index = 0;
  while (start <= tag.size()) {
    std::size_t end = tag.find('-', start);
    if (end == std::string_view::npos) end = tag.size();
    std::string_view part = tag.substr(start, end - start);
    bool ok = false;
    if (index == 0) ok = is_language_code(part);
    else if (part.size() == 4) ok = is_script_code(part);
    else if (part.size() == 3) ok = part.find_first_not_of("0123456789") == std::string_view::npos;
    else if (part.size() == 2) ok = is_country_code(part);
    if (!ok) return false;
    ++index;
    start = end + 1;
  }
  return index > 0;
}

std::vector<std::string_view> schema_names() {
  std::vector<std::string_view> names;
  for (std::size_t i = 0; i < detail::kSchemaCount; ++i) names.emplace_back(detail::kSchemas[i].name);
  return names;
}

std::string_view schema_text(std::string_view name) {
  for (std::size_t i = 0; i < detail::kSchemaCount; ++i)
    if (name == detail::kSchemas[i].name) return detail::kSchemas[i].text;
  return {};
}

struct RecordValidator::Impl {
  std::map<std::string, json, std::less<>> docs;
  const json* line_schema = nullptr;
  valijson::Schema schema;
  valijson::Validator validator;

  Impl() {
    for (auto name : schema_names()) docs.emplace(std::string(name), json::parse(schema_text(name)));
    line_schema = &docs.find(kLineSchema)->second;
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    auto fetch = [this](const std::string& uri) -> const json* {
      auto it = docs.find(base_name(uri));
      return it == docs.end() ? nullptr : &it->second;
    };
    auto release = [](const json*) {};  // the documents belong to `docs`
    parser.populateSchema(valijson::adapters::NlohmannJsonAdapter(*line_schema), schema, fetch, release);
  }
};

RecordValidator::RecordValidator() : impl_(std::make_unique<Impl>()) {}
RecordValidator::~RecordValidator() = default;

std::vector<FieldError> RecordValidator::check_schema(const json& value) {
  valijson::ValidationResults results;
  if (impl_->validator.validate(impl_->schema, valijson::adapters::NlohmannJsonAdapter(value), &results))
    return {};
  SchemaWalker walker(impl_->docs, value);
  std::vector<FieldError> errors;
  std::vector<Path> leaf_paths;
  std::vector<std::pair<Path, std::string>> summaries;
  auto add = [&errors](FieldError e) {
    if (std::find(errors.begin(), errors.end(), e) == errors.end()) errors.push_back(std::move(e));
  };
  valijson::ValidationResults::Error error;
  while (results.popError(error)) {
    Path path = to_path(error.context, value);
    if (!is_summary(error.description)) {
      add(explain(error.description, path, value, walker, *impl_->line_schema));
      leaf_paths.push_back(path);
      continue;
    }
    // "...associated with property name 'bio'": a failure inside 'bio' that
    // has no leaf of its own is a key that fails propertyNames.
    static const std::string kProperty = "Failed to validate against schema associated with property name '";
    if (error.description.rfind(kProperty, 0) == 0) {
      path.push_back({error.description.substr(kProperty.size(), error.description.size() - kProperty.size() - 2), false});
      summaries.emplace_back(path, error.description);
    }
  }
  for (auto& summary : summaries) {
    const Path& path = summary.first;
    bool explained = std::any_of(leaf_paths.begin(), leaf_paths.end(), [&](const Path& leaf) {
      return leaf.size() >= path.size() && render(Path(leaf.begin(), leaf.begin() + static_cast<long>(path.size()))) == render(path);
    });
    if (explained) continue;
    const json* object = value_at(value, path);
    auto names = walker.property_names(walker.at(*impl_->line_schema, path));
    const json* pattern = SchemaWalker::find(names, "pattern");
    const json* about = SchemaWalker::find(names, "description");
    if (object && object->is_object() && pattern) {
      std::regex re(pattern->get<std::string>(), std::regex::ECMAScript);
      for (auto& [key, v] : object->items()) {
        if (std::regex_search(key, re)) continue;
        Path key_path = path;
        key_path.push_back({key, false});
        add({render(key_path), "'" + key + "' is not valid as a key here" + did_you_mean(about, key) +
                                   (about ? ": expected " + as_expectation(*about) : std::string())});
      }
    } else {
      add({render(path), "does not match the schema"});
    }
  }
  if (errors.empty()) errors.push_back({"", "does not match the schema"});
  return errors;
}

LineResult RecordValidator::check(const json& value) {
  LineResult result;
  if (value.is_object()) {
    if (auto t = value.find("type"); t != value.end() && t->is_string()) result.type = t->get<std::string>();
    if (auto id = value.find("id"); id != value.end() && id->is_string()) result.id = id->get<std::string>();
    if (result.type == "translation") {
      auto a = value.find("article"), l = value.find("lang");
      if (a != value.end() && a->is_string() && l != value.end() && l->is_string())
        result.id = a->get<std::string>() + "/" + l->get<std::string>();
    }
  }
  result.errors = check_schema(value);
  if (!result.errors.empty()) return result;

  SchemaWalker walker(impl_->docs, value);
  walker.unknown_fields(value, walker.root(*impl_->line_schema), {}, result.warnings);

  Record record;
  try {
    if (result.type == "author") record = value.get<Author>();
    else if (result.type == "article") record = value.get<Article>();
    else record = value.get<TranslationRecord>();
  } catch (const json::exception& e) {
    // The schema admitted a shape the C++ types cannot hold: the two disagree.
    result.errors.push_back({"", std::string("record does not fit its type: ") + e.what()});
    return result;
  }
  check_semantics(record, result.errors);
  if (!result.errors.empty()) return result;
  // Footnotes given only as text get the fields their text shows.
  if (auto* ar = std::get_if<Article>(&record))
    for (auto& [lang, t] : ar->translations) complete_footnotes(t.footnotes);
  else if (auto* tr = std::get_if<TranslationRecord>(&record))
    complete_footnotes(tr->translation.footnotes);
  result.record = std::move(record);
  return result;
}

LineResult RecordValidator::parse_line(std::string_view line) {
  std::vector<std::string> duplicates;
  auto value = parse_json(line, &duplicates);
  if (!value) {
    LineResult result;
    result.errors.push_back({"", value.status().message()});
    return result;
  }
  LineResult result = check(*value);
  for (const auto& key : duplicates)
    result.warnings.push_back({key, "the key is given more than once; the last value is kept"});
  return result;
}

}  // namespace defter::schema
