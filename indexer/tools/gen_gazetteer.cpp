// Build-time generator of the country gazetteer: country names in every
// language that maintained data covers, from three sources combined (each
// alone has gaps: iso-codes lacks short forms such as Россия or Rusya):
//   - Debian's iso-codes: iso_3166-1.json and its gettext translations
//     (/usr/share/locale/*/LC_MESSAGES/iso_3166-1.mo): name, official and common names;
//   - CLDR territory names (npm cldr-localenames-modern): the names people use;
//   - i18n-iso-countries (npm): further common and short forms.
//
// and a short reviewed file of corrections (indexer/data/country-names.tsv).
//
//   gen_gazetteer ISO_CODES_JSON_DIR LOCALE_DIR I18N_LANGS_DIR CLDR_MAIN_DIR CORRECTIONS.tsv HUNSPELL_DIR OUTPUT.cpp
//
// Writes rows (language, ISO 3166-1 alpha-2 code, name, is-label, Latin)
// sorted by language then code. The label is the name to show (CLDR's
// first); Latin is the name transliterated to lower-case ASCII by ICU
// (Any-Latin; Latin-ASCII), as indexer::latin_folded() does at run time,
// empty for CJK names and names already in ASCII.
//
// And the common words: every form of a one-word name (name_forms.hpp) that
// the language's hunspell dictionary (HUNSPELL_DIR/<ll>_<CC>.dic, Debian's
// hunspell-* packages) accepts in lower case is also an ordinary word there
// (Turkish mali, sudan, mısır; Russian того, перу; English turkey, chile),
// so the recogniser wants evidence before it counts it as the country.
// English names are checked in every dictionary: they are matched in every
// language's text.
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <hunspell.hxx>
#include <nlohmann/json.hpp>
#include <unicode/locid.h>
#include <unicode/translit.h>
#include <unicode/uscript.h>
#include <unicode/unistr.h>

#include "cpp_literal.hpp"
#include "name_forms.hpp"

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

std::string lower(const std::string& s, const std::string& lang) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
  u.toLower(icu::Locale(lang.c_str()));
  std::string out;
  u.toUTF8String(out);
  return out;
}

// The name in lower-case ASCII; "" when it is ASCII already or holds CJK.
std::string latin(const std::string& name, icu::Transliterator& to_latin) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(name);
  bool ascii = true;
  for (int32_t i = 0; i < u.length();) {
    UChar32 c = u.char32At(i);
    i += U16_LENGTH(c);
    if (c >= 0x80) ascii = false;
    UErrorCode err = U_ZERO_ERROR;
    UScriptCode script = uscript_getScript(c, &err);
    if (script == USCRIPT_HAN || script == USCRIPT_HIRAGANA || script == USCRIPT_KATAKANA || script == USCRIPT_HANGUL) return "";
  }
  if (ascii) return "";
  to_latin.transliterate(u);
  u.toLower(icu::Locale::getRoot());
  std::string out;
  u.toUTF8String(out);
  return out;
}

// One word, no space or hyphen: the names that can be mistaken for a word.
bool one_word(const std::string& name) { return name.find_first_of(" -") == std::string::npos; }

// The dictionaries, by primary language subtag.
const std::map<std::string, std::string> kDictionaries = {
    {"en", "en_US"}, {"tr", "tr_TR"}, {"ru", "ru_RU"}, {"kk", "kk_KZ"}, {"uz", "uz_UZ"}};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 8) {
    std::cerr << "usage: gen_gazetteer ISO_CODES_JSON_DIR LOCALE_DIR I18N_LANGS_DIR CLDR_MAIN_DIR CORRECTIONS.tsv HUNSPELL_DIR OUTPUT.cpp\n";
    return 2;
  }
  try {
    const fs::path iso_dir = argv[1], locale_dir = argv[2], i18n_dir = argv[3], cldr_dir = argv[4], corrections = argv[5],
                   hunspell_dir = argv[6], output = argv[7];
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

    // The reviewed corrections.
    std::set<std::pair<std::string, std::string>> names_first;  // (lang, lower-case word)
    std::set<std::pair<std::string, std::string>> also_common;  // (lang, lower-case word)
    {
      std::ifstream in(corrections);
      if (!in) throw std::runtime_error("cannot read " + corrections.string());
      std::string line;
      for (int n = 1; std::getline(in, line); ++n) {
        if (line.empty() || line[0] == '#') continue;
        std::vector<std::string> col;
        std::stringstream cols(line);
        for (std::string c; std::getline(cols, c, '\t');) col.push_back(c);
        if (col.size() != 4) throw std::runtime_error(corrections.string() + ":" + std::to_string(n) + ": want 4 tab-separated columns");
        const std::string &op = col[0], &lang = col[1], &code = col[2], &name = col[3];
        if (op == "+") {
          if (!codes.count(code)) throw std::runtime_error(corrections.string() + ":" + std::to_string(n) + ": unknown code " + code);
          add(lang, code, name);
        } else if (op == "-") {
          auto& list = names[{lang, code}];
          auto it = std::find(list.begin(), list.end(), name);
          if (it == list.end()) throw std::runtime_error(corrections.string() + ":" + std::to_string(n) + ": no such name to remove");
          list.erase(it);
        } else if (op == "=") {
          names_first.insert({lang, name});
        } else if (op == "*") {
          also_common.insert({lang, name});
        } else {
          throw std::runtime_error(corrections.string() + ":" + std::to_string(n) + ": the first column is +, -, = or *");
        }
      }
    }

    // The forms that are also common words, by language.
    std::map<std::string, std::set<std::string>> common;
    for (const auto& [lang, dic] : kDictionaries) {
      fs::path aff = hunspell_dir / (dic + ".aff"), dict = hunspell_dir / (dic + ".dic");
      if (!fs::exists(aff) || !fs::exists(dict)) throw std::runtime_error("missing hunspell dictionary " + dict.string());
      Hunspell speller(aff.c_str(), dict.c_str());
      // A dictionary that holds country names in lower case (Kazakh's lists
      // қазақстан, қытай, ресей) cannot tell a name from a word: probed with
      // the language's names of four countries, it is left out, and says so.
      int probes = 0, lower_case = 0;
      for (const char* code : {"CN", "RU", "KZ", "DE"}) {
        auto it = names.find({lang, code});
        if (it == names.end() || it->second.empty()) continue;
        ++probes;
        lower_case += speller.spell(lower(it->second[0], lang)) ? 1 : 0;
      }
      if (probes == 0 || lower_case * 2 >= probes) {
        std::cerr << "gazetteer: " << dict.filename().string() << " accepts " << lower_case << " of " << probes
                  << " country names in lower case: not used for common words\n";
        continue;
      }
      std::set<std::string> tried;
      for (const auto& [key, list] : names) {
        if (key.first != lang && key.first != "en") continue;
        for (const auto& name : list) {
          if (!one_word(name)) continue;
          std::string word = lower(name, key.first);
          if (names_first.count({lang, word}) || names_first.count({key.first, word})) continue;
          std::vector<std::string> candidates = defter::indexer::forms::word_forms(key.first, word);
          for (const auto& s : defter::indexer::forms::suffixes(key.first)) candidates.push_back(word + s);
          for (const auto& c : candidates)
            if (tried.insert(c).second && speller.spell(c)) common[lang].insert(c);
        }
      }
    }
    for (const auto& [lang, word] : also_common) common[lang].insert(word);

    UErrorCode err = U_ZERO_ERROR;
    std::unique_ptr<icu::Transliterator> to_latin(icu::Transliterator::createInstance("Any-Latin; Latin-ASCII", UTRANS_FORWARD, err));
    if (U_FAILURE(err) || !to_latin) throw std::runtime_error("ICU has no Any-Latin transliterator");

    std::ofstream out(output);
    out << "// Generated by indexer/tools/gen_gazetteer.cpp from iso-codes, CLDR and i18n-iso-countries. Do not edit.\n"
        << "#include \"gazetteer_data.hpp\"\n\nnamespace defter::indexer::detail {\n\nconst GazetteerRow kGazetteer[] = {\n";
    std::size_t rows = 0;
    for (const auto& [key, list] : names)
      for (std::size_t i = 0; i < list.size(); ++i, ++rows)
        out << "  {" << defter::gen::cpp_literal(key.first) << ", \"" << key.second << "\", " << defter::gen::cpp_literal(list[i]) << ", "
            << (i == 0 ? "true" : "false") << ", " << defter::gen::cpp_literal(latin(list[i], *to_latin)) << "},\n";
    out << "};\nconst std::size_t kGazetteerRows = " << rows << ";\n\nconst CommonForm kCommonForms[] = {\n";
    std::size_t forms = 0;
    for (const auto& [lang, words] : common)
      for (const auto& w : words) {
        out << "  {" << defter::gen::cpp_literal(lang) << ", " << defter::gen::cpp_literal(w) << "},\n";
        ++forms;
      }
    out << "};\nconst std::size_t kCommonFormCount = " << forms << ";\n\n}  // namespace defter::indexer::detail\n";
    if (!out) throw std::runtime_error("cannot write " + output.string());
    std::cerr << "gazetteer: " << rows << " names, " << forms << " forms that are also common words\n";
  } catch (const std::exception& e) {
    std::cerr << "gen_gazetteer: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
