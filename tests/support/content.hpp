// What an archive holds, record part by record part, for tests that compare
// it with what was written: an export and an import line both become maps
// keyed "author:ID", "article:ID" (without its translations) and
// "translation:ID/LANG".
#pragma once

#include <map>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

namespace defter::test {

// The parts of `defter export`'s output.
inline std::map<std::string, nlohmann::json> content(const std::string& exported) {
  std::map<std::string, nlohmann::json> out;
  std::istringstream in(exported);
  for (std::string line; std::getline(in, line);) {
    nlohmann::json j = nlohmann::json::parse(line);
    if (j["type"] == "author") {
      out["author:" + j["id"].get<std::string>()] = j;
      continue;
    }
    const nlohmann::json translations = j.value("translations", nlohmann::json::object());
    for (auto& [lang, t] : translations.items())
      out["translation:" + j["id"].get<std::string>() + "/" + lang] = t;
    j.erase("translations");
    out["article:" + j["id"].get<std::string>()] = j;
  }
  return out;
}

// The parts of one import line.
inline std::map<std::string, nlohmann::json> content_of_line(nlohmann::json j) {
  std::map<std::string, nlohmann::json> out;
  if (j["type"] == "translation") {
    std::string key = "translation:" + j["article"].get<std::string>() + "/" + j["lang"].get<std::string>();
    j.erase("type"), j.erase("article"), j.erase("lang");
    out[key] = j;
    return out;
  }
  return content(j.dump());
}

}  // namespace defter::test
