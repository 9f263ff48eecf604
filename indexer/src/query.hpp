// The query language, read into a tree that knows nothing of Xapian or of
// languages: query_compiler.cpp turns it into one Xapian query per language.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace defter::indexer::query {

struct Node {
  enum class Kind { kAnd, kOr, kWord, kPhrase, kWildcard, kField };
  Kind kind = Kind::kAnd;
  bool negated = false;     // a child of kAnd that must not match (-x, NOT x)
  std::string text;         // word, phrase, wildcard prefix (without '*'), or field value
  std::string field;        // kField: title, author, country, lang, type, cites, date, year
  bool wildcard = false;    // kField: the value ended in '*' (title: and author: only)
  std::size_t begin = 0, end = 0;  // bytes of the query text this node was read from (words)
  std::vector<Node> children;
  std::vector<std::string> resolved;  // kField, filled by the searcher: codes, ids, terms or date bounds
};

struct Parsed {
  Node root;                  // kAnd with no children: nothing to search for
  bool plain_words = false;   // could not be read as written: the plain words
  bool operators = false;     // AND, OR, NOT, + or - written out
  std::vector<std::string> notes;
};

// ASCII letters in lower case (field names, language tags, record types).
std::string lower_ascii(std::string s);

// True when the text's first letter is a capital (a query word written as a
// name: "Sudan", not "sudan").
bool starts_with_capital(std::string_view text);

// The fields the language knows, lower case.
bool is_field(const std::string& name);

// Reads a query. Never fails: what cannot be read as written is read as its
// plain words, and a note says why. Invalid UTF-8 is replaced first (the
// note says so); at most `max_words` words are kept.
Parsed parse(const std::string& text, std::size_t max_words);

// The plain words of a query, AND-ed: quotes, parentheses, operators, field
// names' colons and wildcards dropped.
Node plain_words(const std::string& text, std::size_t max_words, std::vector<std::string>& notes);

// The tree written back in the query language: what was searched.
std::string describe(const Node& node);

// True when the tree has something that must match (not only exclusions).
bool has_positive(const Node& node);

// Replaces invalid UTF-8 sequences with U+FFFD; true when it changed anything.
bool sanitize_utf8(std::string& text);

struct DateRange {
  std::string from, to;  // "YYYYMMDD" bounds; empty = open
};
// "2023", "2023-05", "2023-05-17", with "A..B", "A..", "..B" for date:; years
// only for year:. False when the value is not a range of real dates.
bool parse_date_range(const std::string& value, bool years_only, DateRange& out);

}  // namespace defter::indexer::query
