// OAI-PMH 2.0 (oai.hpp): the verbs, their arguments and errors, and the
// lists with their resumption tokens.
#include "oai.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <set>

#include "api_impl.hpp"
#include "xml_text.hpp"

namespace defter::httpd::oai {

using detail::xml_text;

namespace {

// A request the protocol refuses, with its error; `echo` false for
// badVerb and badArgument, whose <request> element names no arguments.
struct Refusal {
  std::string code, message;
  bool echo = true;
};

const char* const kVerbs[] = {"Identify",  "ListMetadataFormats", "ListSets",
                              "GetRecord", "ListIdentifiers",     "ListRecords"};

struct Format {
  const char* prefix;
  const char* namespace_uri;
};
const Format kFormats[] = {{"oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc/"},
                           {"defter", kArticleNamespace}};

bool known_format(const std::string& prefix) {
  return std::any_of(std::begin(kFormats), std::end(kFormats),
                     [&](const Format& f) { return prefix == f.prefix; });
}

// cannotDisseminateFormat, unless `prefix` is one of kFormats.
void check_format(const std::string& prefix) {
  if (!known_format(prefix))
    throw Refusal{"cannotDisseminateFormat",
                  "'" + prefix + "' is not a format this repository disseminates (oai_dc, defter)"};
}

// A datestamp argument: YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ, a real date
// and time. Its granularity is told by its length (10 or 20).
bool valid_datestamp(const std::string& s) {
  auto digits = [&](std::size_t at, std::size_t n) {
    for (std::size_t i = at; i < at + n; ++i)
      if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    return true;
  };
  auto number = [&](std::size_t at, std::size_t n) { return std::stoi(s.substr(at, n)); };
  if (s.size() != 10 && s.size() != 20) return false;
  if (!digits(0, 4) || s[4] != '-' || !digits(5, 2) || s[7] != '-' || !digits(8, 2)) return false;
  int year = number(0, 4), month = number(5, 2), day = number(8, 2);
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kDays[month - 1]) return false;
  if (month == 2 && day == 29 && !(year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)))
    return false;
  if (s.size() == 10) return true;
  return s[10] == 'T' && digits(11, 2) && s[13] == ':' && digits(14, 2) && s[16] == ':' &&
         digits(17, 2) && s[19] == 'Z' && number(11, 2) < 24 && number(14, 2) < 60 &&
         number(17, 2) < 60;
}

// What a list request asks, and where a resumption token says it stopped.
struct ListState {
  std::string prefix, set, from, until;  // from/until as given ("" when not)
  std::uint64_t cursor = 0;              // items the harvest has had before this page
  std::string after;                     // the last article id it had
};

std::string hex(const std::string& s) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::optional<std::string> unhex(const std::string& s) {
  if (s.size() % 2) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < s.size(); i += 2) {
    auto v = [](char c) {
      return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    };
    int hi = v(s[i]), lo = v(s[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

// A token is the state's fields, newline-separated, as hex: opaque, and
// safe in a URL unencoded.
std::string token_of(const ListState& s) {
  return hex("1\n" + s.prefix + "\n" + s.set + "\n" + s.from + "\n" + s.until + "\n" +
             std::to_string(s.cursor) + "\n" + s.after);
}

bool valid_set_spec(const std::string& spec) {
  if (spec.empty() || spec.front() == ':' || spec.back() == ':' ||
      spec.find("::") != std::string::npos)
    return false;
  return std::all_of(spec.begin(), spec.end(), [](unsigned char c) {
    return std::isalnum(c) || std::strchr("-_.!~*'():", c) != nullptr;
  });
}

std::optional<ListState> state_of_token(const std::string& token) {
  auto text = unhex(token);
  if (!text) return std::nullopt;
  std::vector<std::string> f;
  std::size_t at = 0;
  for (std::size_t nl; (nl = text->find('\n', at)) != std::string::npos; at = nl + 1)
    f.push_back(text->substr(at, nl - at));
  f.push_back(text->substr(at));
  if (f.size() != 7 || f[0] != "1") return std::nullopt;
  ListState s{f[1], f[2], f[3], f[4], 0, f[6]};
  if (!known_format(s.prefix) || (!s.set.empty() && !valid_set_spec(s.set)) ||
      (!s.from.empty() && !valid_datestamp(s.from)) ||
      (!s.until.empty() && !valid_datestamp(s.until)) || s.after.empty() || f[5].empty() ||
      f[5].size() > 18 ||
      !std::all_of(f[5].begin(), f[5].end(), [](unsigned char c) { return std::isdigit(c); }))
    return std::nullopt;
  s.cursor = std::stoull(f[5]);
  return s;
}

// The bounds of from and until as datestamps of full granularity.
std::string lower_bound_of(const std::string& from) {
  return from.size() == 10 ? from + "T00:00:00Z" : from;
}
std::string upper_bound_of(const std::string& until) {
  return until.size() == 10 ? until + "T23:59:59Z" : until;
}

class Responder {
 public:
  Responder(const archive::Reader& archive, const Options& options, const std::string& origin)
      : archive_(archive), options_(options), origin_(origin), items_(archive) {}

  std::string respond(const std::multimap<std::string, std::string>& args) {
    std::string body;
    try {
      body = answer(checked_verb(args), args);
    } catch (const Refusal& r) {
      return envelope_start(r.echo ? args : std::multimap<std::string, std::string>{}) +
             "<error code=\"" + r.code + "\">" + xml_text(r.message) + "</error>\n</OAI-PMH>\n";
    }
    return envelope_start(args) + body + "</OAI-PMH>\n";
  }

 private:
  [[noreturn]] static void refuse(const std::string& code, const std::string& message,
                                  bool echo = true) {
    throw Refusal{code, message, echo};
  }

  std::string base_url() const { return origin_ + "/oai"; }

  std::string envelope_start(const std::multimap<std::string, std::string>& echoed) const {
    std::string out =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\" "
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
        "xsi:schemaLocation=\"http://www.openarchives.org/OAI/2.0/ "
        "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd\">\n";
    out += "<responseDate>" + detail::now_time() + "</responseDate>\n<request";
    for (const auto& [name, value] : echoed) out += " " + name + "=\"" + xml_text(value) + "\"";
    return out + ">" + xml_text(base_url()) + "</request>\n";
  }

  // The verb, when it is one and given once (else badVerb); every other
  // argument the verb's, once each (else badArgument).
  static std::string checked_verb(const std::multimap<std::string, std::string>& args) {
    if (args.count("verb") != 1)
      refuse("badVerb",
             args.count("verb") ? "the verb argument is repeated" : "the verb argument is missing",
             false);
    std::string verb = args.find("verb")->second;
    if (std::find(std::begin(kVerbs), std::end(kVerbs), verb) == std::end(kVerbs))
      refuse("badVerb", "'" + verb + "' is not an OAI-PMH verb", false);
    std::set<std::string> allowed;
    if (verb == "ListMetadataFormats") allowed = {"identifier"};
    if (verb == "ListSets") allowed = {"resumptionToken"};
    if (verb == "GetRecord") allowed = {"identifier", "metadataPrefix"};
    if (verb == "ListIdentifiers" || verb == "ListRecords")
      allowed = {"metadataPrefix", "from", "until", "set", "resumptionToken"};
    for (auto it = args.begin(); it != args.end(); it = args.upper_bound(it->first)) {
      if (it->first == "verb") continue;
      if (!allowed.count(it->first))
        refuse("badArgument", verb + " takes no argument '" + it->first + "'", false);
      if (args.count(it->first) > 1)
        refuse("badArgument", "the argument '" + it->first + "' is repeated", false);
    }
    if (args.count("resumptionToken") && args.size() > 2)
      refuse("badArgument", "resumptionToken is an exclusive argument: give it with the verb alone",
             false);
    if (verb == "GetRecord" && (!args.count("identifier") || !args.count("metadataPrefix")))
      refuse("badArgument", "GetRecord needs identifier and metadataPrefix", false);
    if ((verb == "ListIdentifiers" || verb == "ListRecords") && !args.count("resumptionToken") &&
        !args.count("metadataPrefix"))
      refuse("badArgument", verb + " needs metadataPrefix (or a resumptionToken)", false);
    return verb;
  }

  static std::string arg(const std::multimap<std::string, std::string>& args,
                         const std::string& name) {
    auto it = args.find(name);
    return it == args.end() ? "" : it->second;
  }

  std::string answer(const std::string& verb, const std::multimap<std::string, std::string>& args) {
    if (verb == "Identify") return identify();
    if (verb == "ListMetadataFormats") return list_metadata_formats(arg(args, "identifier"));
    if (verb == "ListSets") {
      if (args.count("resumptionToken"))
        refuse("badResumptionToken",
               "ListSets answers in one response: it issues no resumption tokens");
      return list_sets();
    }
    if (verb == "GetRecord")
      return get_record(arg(args, "identifier"), arg(args, "metadataPrefix"));
    ListState state;
    bool resumed = args.count("resumptionToken") > 0;
    if (resumed) {
      auto s = state_of_token(arg(args, "resumptionToken"));
      if (!s)
        refuse("badResumptionToken", "the resumption token is not one this repository issued");
      state = *s;
    } else {
      state.prefix = arg(args, "metadataPrefix");
      state.set = arg(args, "set");
      state.from = arg(args, "from");
      state.until = arg(args, "until");
      for (const auto* name : {"from", "until"})
        if (args.count(name) && !valid_datestamp(arg(args, name)))
          refuse("badArgument",
                 std::string(name) + " must be YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ, a real date",
                 false);
      if (!state.from.empty() && !state.until.empty() && state.from.size() != state.until.size())
        refuse("badArgument", "from and until must have the same granularity", false);
      if (!state.from.empty() && !state.until.empty() && state.from > state.until)
        refuse("badArgument", "from is later than until", false);
      if (args.count("set") && !valid_set_spec(state.set))
        refuse("badArgument", "'" + state.set + "' is not a setSpec", false);
      check_format(state.prefix);
    }
    return list(verb == "ListRecords", state, resumed);
  }

  std::string identify() {
    auto earliest = earliest_datestamp(archive_);
    if (!earliest) throw earliest.status();
    std::string out = "<Identify>\n";
    out += "  <repositoryName>" + xml_text(options_.repository_name) + "</repositoryName>\n";
    out += "  <baseURL>" + xml_text(base_url()) + "</baseURL>\n";
    out += "  <protocolVersion>2.0</protocolVersion>\n";
    out += "  <adminEmail>" + xml_text(options_.admin_email) + "</adminEmail>\n";
    out += "  <earliestDatestamp>" + (earliest->empty() ? detail::now_time() : *earliest) +
           "</earliestDatestamp>\n";
    out += "  <deletedRecord>persistent</deletedRecord>\n";
    out += "  <granularity>YYYY-MM-DDThh:mm:ssZ</granularity>\n";
    return out + "</Identify>\n";
  }

  // The article an identifier names, when it is one of this repository's
  // (else idDoesNotExist): the archive holds it or a revision of it.
  archive::Reader::RecordStamp stamp_of(const std::string& identifier) {
    const std::string prefix = "oai:" + options_.repository_id + ":";
    std::string id =
        identifier.compare(0, prefix.size(), prefix) == 0 ? identifier.substr(prefix.size()) : "";
    archive::Reader::RecordStamp stamp;
    if (!id.empty()) {
      stamp.id = id;
      stamp.exists = archive_.has_article(id);
      auto last = archive_.last_revision(schema::RecordType::kArticle, id);
      if (!last) throw last.status();
      stamp.last = std::move(*last);
    }
    if (!stamp.exists && !stamp.last)
      refuse("idDoesNotExist", "'" + identifier + "' is no item of this repository");
    return stamp;
  }

  std::string list_metadata_formats(const std::string& identifier) {
    if (!identifier.empty()) stamp_of(identifier);  // every item has both formats
    const std::string schemas[] = {"http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
                                   origin_ + kArticleSchemaPath};
    std::string out = "<ListMetadataFormats>\n";
    for (std::size_t i = 0; i < std::size(kFormats); ++i) {
      out += "  <metadataFormat>\n    <metadataPrefix>" + std::string(kFormats[i].prefix) +
             "</metadataPrefix>\n";
      out += "    <schema>" + xml_text(schemas[i]) + "</schema>\n";
      out += "    <metadataNamespace>" + std::string(kFormats[i].namespace_uri) +
             "</metadataNamespace>\n  </metadataFormat>\n";
    }
    return out + "</ListMetadataFormats>\n";
  }

  std::string list_sets() {
    auto sets = all_sets(archive_);
    if (!sets) throw sets.status();
    std::string out = "<ListSets>\n";
    for (const auto& [spec, name] : *sets)
      out += "  <set>\n    <setSpec>" + xml_text(spec) + "</setSpec>\n    <setName>" +
             xml_text(name) + "</setName>\n  </set>\n";
    return out + "</ListSets>\n";
  }

  std::string header(const Item& item) const {
    std::string out =
        std::string("  <header") + (item.deleted ? " status=\"deleted\"" : "") + ">\n";
    out += "    <identifier>oai:" + xml_text(options_.repository_id) + ":" + item.id +
           "</identifier>\n";
    out += "    <datestamp>" + item.datestamp + "</datestamp>\n";
    for (const auto& s : item.sets) out += "    <setSpec>" + xml_text(s) + "</setSpec>\n";
    return out + "  </header>\n";
  }

  std::string record(const Item& item, const std::string& prefix) {
    std::string out = "<record>\n" + header(item);
    if (!item.deleted) {
      auto full = archive_.article(item.id);
      if (!full) throw full.status();
      out += "  <metadata>\n" +
             (prefix == "oai_dc" ? oai_dc(*full, items_, origin_)
                                 : article_xml(*full, items_, origin_)) +
             "\n  </metadata>\n";
    }
    return out + "</record>\n";
  }

  std::string get_record(const std::string& identifier, const std::string& prefix) {
    check_format(prefix);
    auto item = items_.item(stamp_of(identifier));
    if (!item) throw item.status();
    return "<GetRecord>\n" + record(*item, prefix) + "</GetRecord>\n";
  }

  // A page of items after state.after that the request selects, and a
  // token when one more follows (an empty one ends a resumed list).
  std::string list(bool records, ListState state, bool resumed) {
    const std::string lower = lower_bound_of(state.from), upper = upper_bound_of(state.until);
    std::vector<Item> page;
    bool more = false;
    Status bad;
    Status st = archive_.for_each_record_stamp(
        schema::RecordType::kArticle, state.after, [&](const auto& stamp) {
          auto item = items_.item(stamp);
          if (!item) {
            bad = item.status();
            return false;
          }
          if ((!lower.empty() && item->datestamp < lower) ||
              (!state.until.empty() && item->datestamp > upper) ||
              (!state.set.empty() && !in_set(*item, state.set)))
            return true;
          if (page.size() == options_.page_size) {
            more = true;
            return false;
          }
          page.push_back(std::move(*item));
          return true;
        });
    if (!st.ok()) throw st;
    if (!bad.ok()) throw bad;
    if (page.empty()) refuse("noRecordsMatch", "no item matches the request");
    const char* name = records ? "ListRecords" : "ListIdentifiers";
    std::string out = std::string("<") + name + ">\n";
    for (const auto& item : page) out += records ? record(item, state.prefix) : header(item);
    const std::uint64_t cursor = state.cursor;
    if (more) {
      state.cursor += page.size();
      state.after = page.back().id;
      out += "<resumptionToken cursor=\"" + std::to_string(cursor) + "\">" + token_of(state) +
             "</resumptionToken>\n";
    } else if (resumed) {
      out += "<resumptionToken completeListSize=\"" + std::to_string(cursor + page.size()) +
             "\" cursor=\"" + std::to_string(cursor) + "\"/>\n";
    }
    return out + "</" + name + ">\n";
  }

  const archive::Reader& archive_;
  const Options& options_;
  const std::string origin_;
  ItemReader items_;
};

}  // namespace

std::string respond(const archive::Reader& archive, const Options& options,
                    const std::string& origin,
                    const std::multimap<std::string, std::string>& args) {
  return Responder(archive, options, origin).respond(args);
}

}  // namespace defter::httpd::oai
