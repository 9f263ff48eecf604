// Building documents on a second thread while the first writes the previous
// ones into Xapian (BuildPipeline), for every writer of the index.
#include "build_pipeline.hpp"

#include <algorithm>
#include <unordered_map>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "defter/indexer/index_schema.hpp"
#include "document.hpp"

namespace defter::indexer {

namespace {

// The documents of one record, built from the archive (none when the
// record is gone: its old documents are deleted all the same).
struct BuiltUnit {
  Unit unit;
  Status status;
  std::vector<BuiltDocument> docs;
};

// A chunk of records' documents, and the words they add to the spelling
// dictionary, each once with its count (counted here, on the building
// thread: one call to Xapian a word, not one a document, on the writing one).
struct Built {
  std::vector<BuiltUnit> units;
  std::vector<std::pair<std::string, Xapian::termcount>> spelling;
};

Built build_units(const std::vector<Unit>& units, const archive::Reader& reader, DocumentBuilder& builder) {
  Built built;
  std::vector<BuiltUnit>& out = built.units;
  out.reserve(units.size());
  for (const auto& u : units) {
    BuiltUnit b{u, {}, {}};
    if (u.type == schema::RecordType::kAuthor) {
      auto a = reader.author(u.id);
      if (a.ok()) b.docs = builder.author(*a);
      else if (a.status().code() != Code::kNotFound) b.status = a.status();
    } else {
      auto a = reader.article(u.id);
      if (a.ok()) {
        std::vector<schema::Author> authors;
        for (const auto& id : a->authors)
          if (auto au = reader.author(id); au.ok()) authors.push_back(std::move(*au));
        b.docs = builder.article(*a, authors);
      } else if (a.status().code() != Code::kNotFound) {
        b.status = a.status();
      }
    }
    out.push_back(std::move(b));
  }
  std::unordered_map<std::string, Xapian::termcount> words;
  for (auto& b : out)
    for (auto& d : b.docs) {
      for (auto& w : d.spelling) ++words[std::move(w)];
      d.spelling.clear();
    }
  built.spelling.assign(std::make_move_iterator(words.begin()), std::make_move_iterator(words.end()));
  return built;
}

Status write_units(Xapian::WritableDatabase& db, Built& built, DrainStats& stats, bool fresh) {
  for (auto& b : built.units) {
    if (!b.status.ok()) return b.status;
    if (!fresh) db.delete_document(unit_term(b.unit.type, b.unit.id));
    ++stats.units;
    for (auto& d : b.docs) {
      // Into an index that held nothing, each document is new: no lookup.
      if (fresh) db.add_document(d.doc);
      else db.replace_document(std::string(prefix::kUnique) + d.unique, d.doc);
      ++stats.documents_written;
    }
  }
  for (const auto& [word, count] : built.spelling) db.add_spelling(word, count);
  return {};
}

// Builds documents on a thread of its own while the caller writes the
// previous ones into Xapian (which only one thread may do): the two halves
// of indexing run on two cores. The builder reads from snapshots of its own
// (an LMDB transaction belongs to one thread); a snapshot newer than the
// caller's is harmless, since documents are always rebuilt from the latest
// state and a later change rebuilds them again.
class BuildPipeline {
 public:
  BuildPipeline(archive::Archive& archive, std::shared_ptr<const PairWords> pair_words)
      : archive_(archive), pair_words_(std::move(pair_words)), thread_([this] { loop(); }) {}
  ~BuildPipeline() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  void start(std::vector<Unit> units) {
    std::lock_guard lock(mutex_);
    input_ = std::move(units);
    has_input_ = true;
    cv_.notify_all();
  }

  Built wait() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [this] { return has_output_; });
    has_output_ = false;
    return std::move(output_);
  }

 private:
  void loop() {
    DocumentBuilder builder;
    builder.set_pair_words(pair_words_);
    for (;;) {
      std::vector<Unit> units;
      {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [this] { return stop_ || has_input_; });
        if (stop_) return;
        units = std::move(input_);
        has_input_ = false;
      }
      Built built;
      auto snap = archive_.snapshot();
      if (!snap.ok()) {
        for (const auto& u : units) built.units.push_back({u, snap.status(), {}});
      } else {
        built = build_units(units, *snap, builder);
      }
      {
        std::lock_guard lock(mutex_);
        output_ = std::move(built);
        has_output_ = true;
      }
      cv_.notify_all();
    }
  }

  archive::Archive& archive_;
  std::shared_ptr<const PairWords> pair_words_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Unit> input_;
  Built output_;
  bool has_input_ = false, has_output_ = false, stop_ = false;
  std::thread thread_;
};

constexpr std::size_t kPipelineChunk = 64;  // records built while the previous ones are written

}  // namespace

Status index_units(Xapian::WritableDatabase& db, archive::Archive& archive, const std::vector<Unit>& units,
                   DrainStats& stats, const std::function<void(std::size_t done)>& after_chunk, bool fresh) {
  if (units.empty()) return {};
  // The pair words the index was created with, for every document it gets.
  auto info = PairWordsInfo::from_metadata(db.get_metadata(std::string(meta::kPairWords)));
  BuildPipeline pipeline(archive, info.words.empty() ? nullptr : std::make_shared<const PairWords>(std::move(info.words)));
  auto slice = [&](std::size_t from) {
    return std::vector<Unit>(units.begin() + static_cast<long>(from),
                             units.begin() + static_cast<long>(std::min(units.size(), from + kPipelineChunk)));
  };
  pipeline.start(slice(0));
  for (std::size_t done = 0; done < units.size();) {
    Built built = pipeline.wait();
    std::size_t next = done + built.units.size();
    if (next < units.size()) pipeline.start(slice(next));
    if (auto s = write_units(db, built, stats, fresh); !s.ok()) {
      if (next < units.size()) pipeline.wait();
      return s;
    }
    done = next;
    after_chunk(done);
  }
  return {};
}

}  // namespace defter::indexer
