// A WordPress export (WXR) into records, streamed: libxml2's reader builds
// one <item> at a time, so an export of any size is read in bounded
// memory. Two passes over the file: the first learns which posts belong
// together (Polylang's translation groups), their ids and the authors they
// name; the second converts each post's HTML (html_markdown.cpp) and writes
// its record as a JSON line to an unlinked temporary file, which the
// importer then reads as it reads any JSON Lines file. The XML itself is
// read in wxr_reader.cpp.
#include <fcntl.h>
#include <libxml/parser.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <unordered_map>

#include "author_names.hpp"
#include "defter/archive/documents.hpp"
#include "defter/schema/partial_date.hpp"
#include "html_markdown.hpp"
#include "import_stream.hpp"
#include "wxr_reader.hpp"

namespace defter::archive {

using nlohmann::json;

namespace {

using wxr::canonical_lang;
using wxr::Post;
using wxr::read_author;
using wxr::read_post;
using wxr::trimmed;
using wxr::Walk;
using wxr::WpAuthor;

// Records written to an unlinked temporary file, and for each the line of
// the export it came from.
class Spool {
 public:
  Status open(const std::filesystem::path& beside) {
    std::error_code ec;
    for (const auto& dir : {beside, std::filesystem::temp_directory_path(ec)}) {
      if (dir.empty()) continue;
      std::string path = (dir / "wxr-import-XXXXXX").string();
      fd_ = ::mkostemp(path.data(), O_CLOEXEC);
      if (fd_ >= 0) {
        ::unlink(path.c_str());
        return {};
      }
    }
    return Status(Code::kIOError,
                  std::string("cannot make a temporary file: ") + std::strerror(errno));
  }
  ~Spool() {
    if (fd_ >= 0) ::close(fd_);
  }
  Status add(const json& record, std::uint64_t line) { return add(record.dump(), line); }
  Status add(const std::string& record, std::uint64_t line) {
    buffer_ += record;
    buffer_ += '\n';
    line_of_.push_back(line);
    return buffer_.size() > (std::size_t{1} << 20) ? flush() : Status();
  }
  Status flush() {
    for (std::size_t at = 0; at < buffer_.size();) {
      ssize_t n = ::write(fd_, buffer_.data() + at, buffer_.size() - at);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0)
        return Status(
            errno == ENOSPC ? Code::kStorageFull : Code::kIOError,
            std::string("the temporary file of the converted posts: ") + std::strerror(errno));
      at += static_cast<std::size_t>(n);
    }
    buffer_.clear();
    return {};
  }
  // The file, rewound, handed over with the lines.
  int release(std::vector<std::uint64_t>& line_of) {
    ::lseek(fd_, 0, SEEK_SET);
    line_of = std::move(line_of_);
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
  std::string buffer_;
  std::vector<std::uint64_t> line_of_;
};

class WxrImport {
 public:
  WxrImport(Archive& archive, const std::string& file, const WxrOptions& options,
            const ImportOptions& import_options, ImportListener& listener,
            std::vector<std::string>& notes)
      : archive_(archive),
        file_(file),
        options_(options),
        io_(import_options),
        listener_(listener),
        notes_(notes) {}

  Result<ImportSummary> run() {
    // libxml2 sets up its global state here, once, before posts are parsed
    // on two threads (its documentation asks this of threaded programs).
    xmlInitParser();
    Spool spool;
    {
      // The archive read for its authors, and let go before the import: a
      // snapshot held across it would keep a write from growing the map.
      auto snap = archive_.snapshot();
      if (!snap) return snap.status();
      author_names::Authors authors(*snap);
      if (auto s = first_pass(); !s.ok()) return s;
      if (auto s = spool.open(archive_.dir()); !s.ok()) return s;
      if (auto s = write_authors(*snap, authors, spool); !s.ok()) return s;
    }
    if (auto s = second_pass(spool); !s.ok()) return s;
    if (auto s = spool.flush(); !s.ok()) return s;
    report_skipped();
    ImportSummary summary;
    if (stopped_) {
      summary.stopped = true;
      summary.counts.rejected = rejected_;
      summary.counts.warnings = warnings_;
      return summary;
    }
    std::vector<std::uint64_t> line_of;
    int fd = spool.release(line_of);
    auto imported =
        import_parts::import_stream(archive_, file_, fd, std::move(line_of), io_, listener_);
    if (!imported) return imported.status();
    imported->counts.rejected += rejected_;
    imported->counts.warnings += warnings_;
    return imported;
  }

 private:
  static bool published(const Post& p) { return p.type == "post" && p.status == "publish"; }

  // What is known of each post before any is converted: its language, the
  // article it belongs to, and the authors named.
  Status first_pass() {
    struct Member {
      std::string post, lang, date;
    };
    std::unordered_map<std::string, std::vector<Member>> groups;
    std::unordered_map<std::string, std::string> owner;  // article id -> post
    Walk::Handlers h;
    h.language = [&](const std::string& lang) {
      if (site_lang_.empty()) site_lang_ = canonical_lang(lang.substr(0, lang.find_first_of("-_")));
    };
    h.author = [&](const xmlNode* node, std::uint64_t line) {
      WpAuthor a = read_author(node, line);
      if (!a.login.empty()) wp_authors_[a.login] = std::move(a);
    };
    h.item = [&](const xmlNode* node, std::uint64_t line) -> Status {
      Post p = read_post(node, line, false);
      if (!published(p)) {
        ++skipped_[p.type != "post"   ? p.type
                   : p.status.empty() ? "post without a status"
                                      : p.status + " post"];
        return {};
      }
      std::string id = folder_.slug(p.slug);
      if (id.empty()) id = folder_.slug(html_markdown::plain_of_html(p.title));
      if (id.empty()) id = "post-" + folder_.slug(p.id);
      if (id.size() > 100) id.resize(100);
      while (!id.empty() && id.back() == '-') id.pop_back();
      if (auto [it, fresh] = owner.try_emplace(id, p.id); !fresh && it->second != p.id)
        id += "-" + folder_.slug(p.id);  // two posts with one slug
      posts_[p.id] = {id, true};
      for (const auto& login : p.logins)
        if (!login.empty()) used_logins_.insert(login);
      if (!p.group.empty()) groups[p.group].push_back({p.id, p.lang, p.date});
      return {};
    };
    if (auto s = Walk::run(file_, h); !s.ok()) return s;
    if (!options_.lang.empty()) site_lang_ = options_.lang;
    for (auto& [group, members] : groups)
      for (auto& m : members)
        if (m.lang.empty()) m.lang = site_lang_;
    // Each group's original: the one published first (then the site's
    // language, then the first written); the others are its translations.
    for (auto& [group, members] : groups) {
      std::sort(members.begin(), members.end(), [&](const Member& a, const Member& b) {
        // A post without its date (to be rejected) is nobody's original.
        if (a.date.empty() != b.date.empty()) return b.date.empty();
        if (a.date != b.date) return a.date < b.date;
        if ((a.lang == site_lang_) != (b.lang == site_lang_)) return a.lang == site_lang_;
        return a.post.size() != b.post.size() ? a.post.size() < b.post.size() : a.post < b.post;
      });
      const std::string article = posts_[members.front().post].article;
      std::set<std::string> langs{members.front().lang};
      for (std::size_t i = 1; i < members.size(); ++i) {
        if (!langs.insert(members[i].lang).second) {
          notes_.push_back("post " + members[i].post + " is a second " + members[i].lang +
                           " version in its translation group: imported as an article of its own");
          continue;
        }
        posts_[members[i].post] = {article, false};
      }
    }
    return {};
  }

  // The authors the posts name: matched to the archive's by name (in any
  // script) or created; a biography the export carries is kept in the
  // site's language.
  Status write_authors(const Snapshot& snap, author_names::Authors& authors, Spool& spool) {
    for (const auto& login : used_logins_) {
      auto it = wp_authors_.find(login);
      WpAuthor a = it != wp_authors_.end() ? it->second : WpAuthor{0, login, "", "", "", ""};
      std::string name = a.display_name;
      if (name.empty()) name = trimmed(a.first + " " + a.last);
      if (name.empty()) name = login;
      std::vector<json> created;
      std::string id = authors.resolve(name, notes_, created);
      author_ids_[login] = id;
      json record;
      if (!created.empty()) {
        record = created.front();
      } else if (!a.description.empty() && !site_lang_.empty()) {
        auto stored = snap.author(id);
        if (!stored) continue;
        auto bio = stored->bio.find(site_lang_);
        if (bio != stored->bio.end() && bio->second == a.description) continue;
        record = *stored;
      } else {
        continue;
      }
      if (!a.description.empty() && !site_lang_.empty()) record["bio"][site_lang_] = a.description;
      if (auto s = spool.add(record, a.line); !s.ok()) return s;
    }
    return {};
  }

  // A post that cannot be an article's version: reported as a rejected
  // record (--strict: nothing is imported).
  Status reject(const Post& p, const std::string& label, const std::string& field,
                const std::string& reason) {
    listener_.on_problem({file_, p.line, label, field, reason, false});
    ++rejected_;
    if (io_.strict) stopped_ = true;
    return {};
  }

  // What one post becomes: its record as a JSON line, or why it cannot
  // be one; and what was left out of it. It depends on the post and on
  // what the first pass learnt alone, so posts convert on two threads.
  struct Outcome {
    bool skip = false;  // not an article's version (a page, a draft)
    std::string label, record, field, reason;
    std::vector<std::string> dropped;
  };

  Outcome refused(Outcome o, std::string field, std::string reason) const {
    o.field = std::move(field);
    o.reason = std::move(reason);
    return o;
  }

  Outcome convert_post(const Post& p) const {
    Outcome o;
    auto found = posts_.find(p.id);
    if (!published(p) || found == posts_.end()) {
      o.skip = true;
      return o;
    }
    const auto& [article, original] = found->second;
    std::string lang = p.lang.empty() ? site_lang_ : p.lang;
    o.label = original ? "article " + article : "translation " + article + "/" + lang;
    std::string date = p.date.substr(0, 10);
    if (p.date.empty()) return refused(o, "wp:post_date", "missing: every post has its date");
    if (!schema::PartialDate::parse(date) || date.size() != 10)
      return refused(o, "wp:post_date", "'" + p.date + "' is not a date (YYYY-MM-DD hh:mm:ss)");
    if (lang.empty())
      return refused(o, "category[@domain='language']",
                     "no language: the post names none and the export's channel has no "
                     "<language>; give --lang");
    std::string title = html_markdown::plain_of_html(p.title);
    if (title.empty()) return refused(o, "title", "empty: an article needs its title");
    bool classic = p.content.find("<!-- wp:") == std::string::npos;
    auto text = html_markdown::convert(p.content, classic, p.block_notes);
    if (!text.error.empty()) return refused(o, "content:encoded", text.error);
    if (text.body.empty()) return refused(o, "content:encoded", "empty: the post has no text");
    o.dropped = std::move(text.dropped);
    json version = {{"title", title}, {"body", std::move(text.body)}};
    if (!text.notes.empty()) {
      json notes = json::array();
      for (std::size_t i = 0; i < text.notes.size(); ++i)
        notes.push_back({{"n", text.numbers[i]}, {"text", text.notes[i]}});
      version["footnotes"] = std::move(notes);
    }
    std::string modified = p.modified.substr(0, 10);
    if (modified.size() == 10 && schema::PartialDate::parse(modified))
      version["modified"] = modified;
    json record;
    if (original) {
      record = {
          {"type", "article"}, {"id", article}, {"published", date}, {"original_language", lang}};
      json ids = json::array();
      for (const auto& login : p.logins)
        if (auto it = author_ids_.find(login); it != author_ids_.end() && !ids.contains(it->second))
          ids.push_back(it->second);
      if (!ids.empty()) record["authors"] = ids;
      json tags = json::array(), countries = json::array();
      for (const auto& [nicename, name] : p.terms) {
        std::string tag = html_markdown::plain_of_html(name);
        if (nicename == "uncategorized" || tag.empty() || tags.contains(tag)) continue;
        tags.push_back(tag);
        std::string code = options_.country_of && tag.size() > 2 ? options_.country_of(tag) : "";
        if (!code.empty() && !countries.contains(code)) countries.push_back(code);
      }
      if (!tags.empty()) record["tags"] = tags;
      if (!countries.empty()) record["countries"] = countries;
      if (p.link.rfind("http://", 0) == 0 || p.link.rfind("https://", 0) == 0)
        record["source_url"] = p.link;
      record["translations"] = {{lang, std::move(version)}};
    } else {
      record = {{"type", "translation"}, {"article", article}, {"lang", lang}};
      record.update(version);
    }
    o.record = record.dump();
    return o;
  }

  // Converts the posts read so far, half on another thread, and reports
  // and spools them in the export's order.
  Status convert_batch(std::vector<Post>& batch, Spool& spool) {
    std::vector<Outcome> out(batch.size());
    std::string failure;
    auto convert_every_other = [&](std::size_t first) {
      try {
        for (std::size_t i = first; i < batch.size(); i += 2) out[i] = convert_post(batch[i]);
      } catch (const std::exception& e) {
        failure = e.what();
      }
    };
    std::thread other(convert_every_other, 1);
    convert_every_other(0);
    other.join();
    if (!failure.empty())
      return Status(Code::kIOError, file_ + ": converting its posts: " + failure);
    for (std::size_t i = 0; i < batch.size() && !stopped_; ++i) {
      const Outcome& o = out[i];
      const Post& p = batch[i];
      if (o.skip) continue;
      for (const auto& d : o.dropped) {
        listener_.on_problem(
            {file_, p.line, o.label, "content:encoded",
             d + " left out: the archive keeps text, headings, quotes, lists and notes", true});
        ++warnings_;
      }
      if (!o.reason.empty()) {
        if (auto s = reject(p, o.label, o.field, o.reason); !s.ok()) return s;
        continue;
      }
      if (auto s = spool.add(o.record, p.line); !s.ok()) return s;
    }
    batch.clear();
    return {};
  }

  Status second_pass(Spool& spool) {
    std::vector<Post> batch;
    std::size_t bytes = 0;
    Walk::Handlers h;
    h.item = [&](const xmlNode* node, std::uint64_t line) -> Status {
      if (stopped_) return {};
      batch.push_back(read_post(node, line, true));
      bytes += batch.back().content.size();
      if (batch.size() < 64 && bytes < (std::size_t{8} << 20)) return {};
      bytes = 0;
      return convert_batch(batch, spool);
    };
    if (auto s = Walk::run(file_, h); !s.ok()) return s;
    return stopped_ ? Status() : convert_batch(batch, spool);
  }

  void report_skipped() {
    std::string text;
    for (const auto& [what, n] : skipped_)
      text += (text.empty() ? "" : ", ") + std::to_string(n) + " " + what + (n == 1 ? "" : "s");
    if (!text.empty()) notes_.push_back("left out (only published posts become articles): " + text);
  }

  struct Place {
    std::string article;
    bool original = true;
  };

  Archive& archive_;
  const std::string& file_;
  const WxrOptions& options_;
  const ImportOptions& io_;
  ImportListener& listener_;
  std::vector<std::string>& notes_;
  author_names::NameFolder folder_;
  std::string site_lang_;
  std::map<std::string, WpAuthor> wp_authors_;
  std::set<std::string> used_logins_;
  std::map<std::string, std::string> author_ids_;
  std::unordered_map<std::string, Place>
      posts_;  // each published post: its article, and whether it is the original
  std::map<std::string, std::uint64_t> skipped_;
  std::uint64_t rejected_ = 0, warnings_ = 0;
  bool stopped_ = false;
};

}  // namespace

Result<ImportSummary> import_wxr(Archive& archive, const std::string& file,
                                 const WxrOptions& options, const ImportOptions& import_options,
                                 ImportListener& listener, std::vector<std::string>& notes) {
  WxrImport wxr(archive, file, options, import_options, listener, notes);
  return wxr.run();
}

}  // namespace defter::archive
