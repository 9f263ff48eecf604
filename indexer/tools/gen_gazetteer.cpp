// Build-time generator of the country gazetteer: country names in every
// language that maintained data covers, from three sources combined (each
// alone has gaps: iso-codes lacks short forms such as Россия or Rusya):
//   - Debian's iso-codes: iso_3166-1.json and its gettext translations
//     (/usr/share/locale/*/LC_MESSAGES/iso_3166-1.mo): name, official and common names;
//   - CLDR territory names (npm cldr-localenames-modern): the names people use;
//   - i18n-iso-countries (npm): further common and short forms.
//
//   gen_gazetteer ISO_CODES_JSON_DIR LOCALE_DIR I18N_LANGS_DIR CLDR_MAIN_DIR OUTPUT.cpp
//
// Writes rows (language, ISO 3166-1 alpha-2 code, name, is-label) sorted by
// language then code. The label is the name to show (CLDR's first).
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cpp_literal.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A gettext .mo catalogue: msgid -> msgstr.
std::map<std::string, std::string> read_mo(const fs::path& p) {
  std::string d = read(p);
  auto u32 = [&](std::size_t at) {
    std::uint32_t v;
    std::memcpy(&v, d.data() + at, 4);
    return v;
  };
  std::map<std::string, std::string> out;
  if (d.size() < 20 || u32(0) != 0x950412deu) return out;  // big-endian catalogues are not shipped by Debian
  std::uint32_t n = u32(8), orig = u32(12), trans = u32(16);
  for (std::uint32_t i = 0; i < n; ++i) {
    std::uint32_t l1 = u32(orig + 8 * i), o1 = u32(orig + 8 * i + 4);
    std::uint32_t l2 = u32(trans + 8 * i), o2 = u32(trans + 8 * i + 4);
    if (o1 + l1 > d.size() || o2 + l2 > d.size()) break;
    std::string id = d.substr(o1, l1), str = d.substr(o2, l2);
    if (auto ctx = id.find('\x04'); ctx != std::string::npos) id = id.substr(ctx + 1);
    if (!id.empty() && !str.empty()) out[id] = str;
  }
  return out;
}

// "zh_CN" -> "zh", "sr@latin" -> "sr", "zh-Hant" -> "zh", "pt_BR" -> "pt".
std::string primary(std::string locale) {
  auto cut = locale.find_first_of("_-@.");
  return cut == std::string::npos ? locale : locale.substr(0, cut);
}

bool usable(const std::string& name) {
  // Sorting forms ("Korea, Republic of") and glosses in parentheses are not
  // how a text names a country.
  return !name.empty() && name.find(',') == std::string::npos && name.find('(') == std::string::npos;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: gen_gazetteer ISO_CODES_JSON_DIR LOCALE_DIR I18N_LANGS_DIR CLDR_MAIN_DIR OUTPUT.cpp\n";
    return 2;
  }
  try {
    const fs::path iso_dir = argv[1], locale_dir = argv[2], i18n_dir = argv[3], cldr_dir = argv[4];
    // (lang, code) -> names in order of preference; the first is the label.
    std::map<std::pair<std::string, std::string>, std::vector<std::string>> names;
    auto add = [&](const std::string& lang, const std::string& code, const std::string& name) {
      if (!usable(name)) return;
      auto& list = names[{lang, code}];
      for (const auto& n : list)
        if (n == name) return;
      list.push_back(name);
    };

    const json iso = json::parse(read(iso_dir / "iso_3166-1.json"));
    std::set<std::string> codes;
    for (const auto& c : iso.at("3166-1")) codes.insert(c.at("alpha_2"));

    // CLDR first: its names are the ones to show.
    for (const auto& entry : fs::directory_iterator(cldr_dir)) {
      fs::path file = entry.path() / "territories.json";
      if (!fs::exists(file)) continue;
      std::string locale = entry.path().filename().string();
      const json doc = json::parse(read(file));
      const json& territories = doc.at("main").at(locale).at("localeDisplayNames").at("territories");
      for (auto it = territories.begin(); it != territories.end(); ++it) {
        std::string key = it.key(), code = key.substr(0, key.find('-'));
        if (codes.count(code)) add(primary(locale), code, it.value().get<std::string>());
      }
    }
    for (const auto& entry : fs::directory_iterator(i18n_dir)) {
      if (entry.path().extension() != ".json") continue;
      const json doc = json::parse(read(entry.path()));
      std::string lang = primary(doc.at("locale").get<std::string>());
      for (auto it = doc.at("countries").begin(); it != doc.at("countries").end(); ++it) {
        if (!codes.count(it.key())) continue;
        if (it.value().is_array())
          for (const auto& n : it.value()) add(lang, it.key(), n.get<std::string>());
        else
          add(lang, it.key(), it.value().get<std::string>());
      }
    }
    for (const auto& c : iso.at("3166-1")) {
      std::string code = c.at("alpha_2");
      for (const char* field : {"name", "common_name", "official_name"})
        if (c.contains(field)) add("en", code, c.at(field));
    }
    for (const auto& entry : fs::directory_iterator(locale_dir)) {
      fs::path mo = entry.path() / "LC_MESSAGES" / "iso_3166-1.mo";
      if (!fs::exists(mo)) continue;
      std::string lang = primary(entry.path().filename().string());
      auto catalogue = read_mo(mo);
      for (const auto& c : iso.at("3166-1"))
        for (const char* field : {"common_name", "name", "official_name"})
          if (c.contains(field))
            if (auto t = catalogue.find(c.at(field).get<std::string>()); t != catalogue.end())
              add(lang, c.at("alpha_2"), t->second);
    }

    std::ofstream out(argv[5]);
    out << "// Generated by indexer/tools/gen_gazetteer.cpp from iso-codes, CLDR and i18n-iso-countries. Do not edit.\n"
        << "#include \"gazetteer_data.hpp\"\n\nnamespace defter::indexer::detail {\n\nconst GazetteerRow kGazetteer[] = {\n";
    std::size_t rows = 0;
    for (const auto& [key, list] : names)
      for (std::size_t i = 0; i < list.size(); ++i, ++rows)
        out << "  {" << defter::gen::cpp_literal(key.first) << ", \"" << key.second << "\", " << defter::gen::cpp_literal(list[i]) << ", "
            << (i == 0 ? "true" : "false") << "},\n";
    out << "};\nconst std::size_t kGazetteerRows = " << rows << ";\n\n}  // namespace defter::indexer::detail\n";
    if (!out) throw std::runtime_error(std::string("cannot write ") + argv[5]);
    std::cerr << "gazetteer: " << rows << " names\n";
  } catch (const std::exception& e) {
    std::cerr << "gen_gazetteer: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
