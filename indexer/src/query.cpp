#include "query.hpp"

#include "defter/indexer/fields.hpp"
#include "defter/schema/partial_date.hpp"
#include "defter/schema/text.hpp"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <iterator>

namespace defter::indexer::query {
namespace {

constexpr int kMaxDepth = 16;  // nested parentheses

struct Token {
  enum class Kind { kTerm, kLParen, kRParen, kAnd, kOr, kNot };
  Kind kind = Kind::kTerm;
  char sign = 0;  // '+' or '-' before a term or a parenthesis
  Node node;      // kTerm: the word, phrase, wildcard or field
};

// A syntax error: where (a character offset) and what.
struct SyntaxError {
  std::string what;
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }


class Tokenizer {
 public:
  Tokenizer(const std::string& text, std::size_t max_words) : s_(text), max_words_(max_words) {}

  // Throws SyntaxError.
  bool operators = false;  // AND, OR, NOT, + or - seen

  std::vector<Token> run(std::vector<std::string>& notes) {
    std::vector<Token> out;
    std::size_t words = 0;
    bool truncated = false;
    while (true) {
      while (i_ < s_.size() && is_space(s_[i_])) ++i_;
      if (i_ >= s_.size()) break;
      Token t;
      char c = s_[i_];
      if (c == '(' || c == ')') {
        t.kind = c == '(' ? Token::Kind::kLParen : Token::Kind::kRParen;
        ++i_;
        out.push_back(std::move(t));
        continue;
      }
      // A sign before a term; "--almost-all" (an option quoted in a text) is
      // a word.
      if ((c == '+' || c == '-') && i_ + 1 < s_.size() && !is_space(s_[i_ + 1]) && s_[i_ + 1] != ')' &&
          !(c == '-' && s_[i_ + 1] == '-')) {
        t.sign = c;
        operators = true;
        c = s_[++i_];
        if (c == '(') {
          t.kind = Token::Kind::kLParen;
          ++i_;
          out.push_back(std::move(t));
          continue;
        }
      }
      std::size_t start = i_;
      if (c == '"') {
        t.node.kind = Node::Kind::kPhrase;
        t.node.text = quoted();
      } else {
        std::string word = bare();
        if (t.sign == 0 && (word == "AND" || word == "OR" || word == "NOT" || word == "&&" || word == "||")) {
          operators = true;
          t.kind = word == "AND" || word == "&&" ? Token::Kind::kAnd
                   : word == "NOT"             ? Token::Kind::kNot
                                               : Token::Kind::kOr;
          out.push_back(std::move(t));
          continue;
        }
        std::size_t colon = word.find(':');
        std::string name = colon == std::string::npos ? "" : lower_ascii(word.substr(0, colon));
        if (colon != std::string::npos && is_field(name)) {
          t.node.kind = Node::Kind::kField;
          t.node.field = name;
          t.node.text = word.substr(colon + 1);
          if (t.node.text.empty() && i_ < s_.size() && s_[i_] == '"') t.node.text = quoted();
          else if (!t.node.text.empty() && t.node.text.back() == '*') {
            while (!t.node.text.empty() && t.node.text.back() == '*') t.node.text.pop_back();
            t.node.wildcard = true;
          }
          if (t.node.text.find_first_not_of(" \t") == std::string::npos)
            throw SyntaxError{"\"" + name + ":\" has no value"};
        } else if (!word.empty() && word.back() == '*') {
          while (!word.empty() && word.back() == '*') word.pop_back();
          if (word.empty()) {
            notes.push_back("a lone * stands for everything: ignored");
            continue;
          }
          t.node.kind = Node::Kind::kWildcard;
          t.node.text = word;
        } else {
          t.node.kind = Node::Kind::kWord;
          t.node.text = word;
        }
      }
      t.node.begin = start;
      t.node.end = i_;
      if (++words > max_words_) {
        truncated = true;
        break;
      }
      out.push_back(std::move(t));
    }
    if (truncated)
      notes.push_back("the query has more than " + std::to_string(max_words_) + " words: only the first " +
                      std::to_string(max_words_) + " were searched");
    return out;
  }

 private:
  // A "quoted" string at i_; throws when it is not closed.
  std::string quoted() {
    std::size_t close = s_.find('"', i_ + 1);
    if (close == std::string::npos) throw SyntaxError{"a quote is not closed"};
    std::string text = s_.substr(i_ + 1, close - i_ - 1);
    i_ = close + 1;
    return text;
  }

  // Up to a space, a parenthesis or a quote (a quote right after "field:" is the field's value).
  std::string bare() {
    std::size_t start = i_;
    while (i_ < s_.size() && !is_space(s_[i_]) && s_[i_] != '(' && s_[i_] != ')' && s_[i_] != '"') ++i_;
    return s_.substr(start, i_ - start);
  }

  const std::string& s_;
  std::size_t max_words_;
  std::size_t i_ = 0;
};

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  Node run() {
    Node n = or_expr(0);
    if (pos_ < t_.size()) throw SyntaxError{"a closing parenthesis has no opening one"};
    return n;
  }

 private:
  bool at(Token::Kind k) const { return pos_ < t_.size() && t_[pos_].kind == k; }

  Node or_expr(int depth) {
    Node first = and_expr(depth);
    if (!at(Token::Kind::kOr)) return first;
    Node n;
    n.kind = Node::Kind::kOr;
    n.children.push_back(std::move(first));
    while (at(Token::Kind::kOr)) {
      ++pos_;
      n.children.push_back(and_expr(depth));
    }
    return n;
  }

  Node and_expr(int depth) {
    Node n;
    n.kind = Node::Kind::kAnd;
    bool pending_and = false;
    while (pos_ < t_.size() && !at(Token::Kind::kOr) && !at(Token::Kind::kRParen)) {
      if (at(Token::Kind::kAnd)) {
        if (n.children.empty() || pending_and) throw SyntaxError{"AND needs something on both sides"};
        pending_and = true;
        ++pos_;
        continue;
      }
      n.children.push_back(unary(depth));
      pending_and = false;
    }
    if (pending_and) throw SyntaxError{"AND needs something on both sides"};
    if (n.children.empty()) {
      if (t_.empty()) return n;  // nothing at all: an empty query
      if (at(Token::Kind::kOr) || (pos_ > 0 && t_[pos_ - 1].kind == Token::Kind::kOr))
        throw SyntaxError{"OR needs something on both sides"};
      if (pos_ > 0 && t_[pos_ - 1].kind == Token::Kind::kLParen) throw SyntaxError{"empty parentheses"};
      throw SyntaxError{"a closing parenthesis has no opening one"};
    }
    if (n.children.size() == 1 && !n.children[0].negated) return std::move(n.children[0]);
    return n;
  }

  Node unary(int depth) {
    if (at(Token::Kind::kNot)) {
      ++pos_;
      if (pos_ >= t_.size() || at(Token::Kind::kOr) || at(Token::Kind::kRParen) || at(Token::Kind::kAnd))
        throw SyntaxError{"NOT needs something after it"};
      Node n = unary(depth);
      n.negated = !n.negated;
      return n;
    }
    Token& t = t_[pos_++];
    Node n;
    if (t.kind == Token::Kind::kLParen) {
      if (depth >= kMaxDepth) throw SyntaxError{"parentheses are nested too deep"};
      n = or_expr(depth + 1);
      if (!at(Token::Kind::kRParen)) throw SyntaxError{"a parenthesis is not closed"};
      ++pos_;
      if (n.kind == Node::Kind::kAnd && n.children.empty()) throw SyntaxError{"empty parentheses"};
      if (n.negated) {  // "(NOT a)": keep the negation inside
        Node wrap;
        wrap.kind = Node::Kind::kAnd;
        wrap.children.push_back(std::move(n));
        n = std::move(wrap);
      }
    } else if (t.kind == Token::Kind::kTerm) {
      n = std::move(t.node);
    } else {
      throw SyntaxError{t.kind == Token::Kind::kRParen ? "a closing parenthesis has no opening one"
                                                      : "an operator is missing a word"};
    }
    if (t.sign == '-') n.negated = true;
    return n;
  }

  std::vector<Token> t_;
  std::size_t pos_ = 0;
};

}  // namespace

Node plain_words(const std::string& text, std::size_t max_words, std::vector<std::string>& notes) {
  Node root;
  root.kind = Node::Kind::kAnd;
  std::size_t i = 0;
  bool truncated = false;
  while (i < text.size()) {
    auto syntax = [&](char c) { return is_space(c) || c == '"' || c == '(' || c == ')' || c == '*' || c == ':' || c == '+'; };
    while (i < text.size() && syntax(text[i])) ++i;
    std::size_t start = i;
    while (i < text.size() && !syntax(text[i])) ++i;
    if (i == start) continue;
    std::string word = text.substr(start, i - start);
    while (!word.empty() && word[0] == '-') {
      word.erase(0, 1);
      ++start;
    }
    if (word.empty() || word == "AND" || word == "OR" || word == "NOT" || word == "&&" || word == "||") continue;
    if (root.children.size() >= max_words) {
      truncated = true;
      break;
    }
    Node w;
    w.kind = Node::Kind::kWord;
    w.text = word;
    w.begin = start;
    w.end = i;
    root.children.push_back(std::move(w));
  }
  if (truncated)
    notes.push_back("the query has more than " + std::to_string(max_words) + " words: only the first " +
                    std::to_string(max_words) + " were searched");
  return root;
}

namespace {

std::string quote_if_needed(const std::string& s) {
  bool plain = !s.empty() && s.find_first_of(" \t\"()") == std::string::npos;
  return plain ? s : "\"" + s + "\"";
}

bool parse_date(const std::string& s, bool years_only, std::string& lo, std::string& hi) {
  auto d = schema::PartialDate::parse(s);
  if (!d || (years_only && d->month != 0)) return false;
  lo = d->first_day();
  hi = d->last_day();
  return true;
}

}  // namespace

std::string lower_ascii(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool starts_with_capital(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    UChar32 c;
    U8_NEXT(text.data(), i, text.size(), c);
    if (c < 0) return false;
    if (u_isalpha(c)) return u_isupper(c) || u_istitle(c);
  }
  return false;
}

bool is_field(const std::string& name) {
  const Field* f = find_field(name);
  return f && f->in_query;
}

bool sanitize_utf8(std::string& text) {
  std::string out;
  out.reserve(text.size());
  bool changed = false;
  for (std::size_t i = 0; i < text.size();) {
    schema::Utf8Char u = schema::utf8_at(text, i);
    if (u.length == 0 || text[i] == '\0') {  // not UTF-8, or a NUL
      out += "\xEF\xBF\xBD";
      changed = true;
      ++i;
      continue;
    }
    out.append(text, i, u.length);
    i += u.length;
  }
  text = std::move(out);
  return changed;
}

Parsed parse(const std::string& input, std::size_t max_words) {
  Parsed p;
  std::string text = input;
  if (sanitize_utf8(text)) p.notes.push_back("the query is not valid UTF-8: invalid bytes were replaced");
  try {
    std::vector<std::string> notes;
    Tokenizer tokenizer(text, max_words);
    auto tokens = tokenizer.run(notes);
    p.operators = tokenizer.operators;
    p.root = Parser(std::move(tokens)).run();
    if (p.root.kind != Node::Kind::kAnd) {
      Node wrap;
      wrap.kind = Node::Kind::kAnd;
      wrap.children.push_back(std::move(p.root));
      p.root = std::move(wrap);
    }
    p.notes.insert(p.notes.end(), notes.begin(), notes.end());
  } catch (const SyntaxError& e) {
    p.plain_words = true;
    p.notes.push_back(e.what + ": searched for the plain words");
    p.root = plain_words(text, max_words, p.notes);
  }
  return p;
}

std::string describe(const Node& n) {
  std::string out;
  switch (n.kind) {
    case Node::Kind::kWord: out = n.text; break;
    case Node::Kind::kPhrase: out = "\"" + n.text + "\""; break;
    case Node::Kind::kWildcard: out = n.text + "*"; break;
    case Node::Kind::kField:
      out = n.field + ":" + (n.wildcard ? n.text + "*" : quote_if_needed(n.text));
      break;
    case Node::Kind::kAnd:
    case Node::Kind::kOr: {
      const char* op = n.kind == Node::Kind::kAnd ? " AND " : " OR ";
      for (const auto& c : n.children) {
        std::string part = describe(c);
        if ((c.kind == Node::Kind::kAnd || c.kind == Node::Kind::kOr) && c.children.size() > 1 && !c.negated &&
            n.children.size() > 1)
          part = "(" + part + ")";
        if (!out.empty()) out += op;
        out += part;
      }
      if ((n.kind == Node::Kind::kAnd || n.kind == Node::Kind::kOr) && n.children.size() > 1 && n.negated)
        out = "(" + out + ")";
      break;
    }
  }
  return n.negated ? "NOT " + out : out;
}

bool has_positive(const Node& n) {
  if (n.negated) return false;
  if (n.kind == Node::Kind::kAnd || n.kind == Node::Kind::kOr)
    return std::any_of(n.children.begin(), n.children.end(), [](const Node& c) { return has_positive(c); });
  return true;
}

bool parse_date_range(const std::string& value, bool years_only, DateRange& out) {
  std::size_t dots = value.find("..");
  std::string a = dots == std::string::npos ? value : value.substr(0, dots);
  std::string b = dots == std::string::npos ? value : value.substr(dots + 2);
  if (a.empty() && b.empty()) return false;
  std::string lo, hi;
  if (!a.empty()) {
    if (!parse_date(a, years_only, lo, hi)) return false;
    out.from = lo;
  }
  if (!b.empty()) {
    if (!parse_date(b, years_only, lo, hi)) return false;
    out.to = hi;
  }
  return out.from.empty() || out.to.empty() || out.from <= out.to;
}

}  // namespace defter::indexer::query
