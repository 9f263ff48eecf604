// A libxml2 node's text and attributes as strings (internal to archive/).
#pragma once

#include <libxml/tree.h>

#include <string>

namespace defter::archive::xml {

// The node's text, its descendants' included ("" when it has none).
inline std::string text(const xmlNode* n) {
  xmlChar* v = xmlNodeGetContent(n);
  std::string out = v ? reinterpret_cast<const char*>(v) : "";
  xmlFree(v);
  return out;
}

// An attribute's value ("" when the node has none).
inline std::string attr(const xmlNode* n, const char* key) {
  xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(key));
  std::string out = v ? reinterpret_cast<const char*>(v) : "";
  xmlFree(v);
  return out;
}

}  // namespace defter::archive::xml
