// The archive's environment: opening (checks, format upgrades), copies, snapshots and write transactions.
#include "store.hpp"

namespace defter::archive {

// ---- Archive --------------------------------------------------------------

Archive::Archive(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Archive::~Archive() = default;

const std::filesystem::path& Archive::dir() const { return impl_->options.dir; }

Status Archive::copy_to(const std::filesystem::path& dir) const {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status(Code::kIOError, "cannot create " + dir.string() + ": " + ec.message());
  if (!std::filesystem::is_empty(dir, ec) || ec) return Status(Code::kInvalidArgument, dir.string() + " is not empty");
  std::shared_lock lock(impl_->resize_mutex);
  // LMDB copies from one read transaction: a consistent snapshot, while
  // writers go on. Compacting leaves out free pages.
  if (int rc = mdb_env_copy2(impl_->env, dir.c_str(), MDB_CP_COMPACT)) return from_mdb(rc, "copy the archive to " + dir.string());
  return {};
}

Result<std::unique_ptr<Archive>> Archive::open(const Options& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  const std::string where = options.dir.string();
  std::error_code ec;
  if (options.read_only) {
    if (!std::filesystem::exists(options.dir / "data.mdb", ec))
      return Status(Code::kNotFound, "no archive in " + where + " (import something first, or pass --data)");
  } else {
    std::filesystem::create_directories(options.dir, ec);
    if (ec) {
      Code code = (ec == std::errc::permission_denied || ec == std::errc::read_only_file_system)
                      ? Code::kReadOnly
                      : ec == std::errc::no_space_on_device ? Code::kStorageFull : Code::kIOError;
      return Status(code, "cannot create " + where + ": " + ec.message());
    }
  }
  if (int rc = mdb_env_create(&impl->env)) return from_mdb(rc, "create LMDB environment");
  mdb_env_set_maxdbs(impl->env, kDbCount);
  mdb_env_set_maxreaders(impl->env, options.max_readers);
  mdb_env_set_mapsize(impl->env, options.initial_map_size);
  unsigned flags = MDB_NOTLS | (options.read_only ? MDB_RDONLY : 0);
  if (int rc = mdb_env_open(impl->env, where.c_str(), flags, 0644)) {
    Status s = from_mdb(rc, "open the archive in " + where);
    if (s.code() == Code::kReadOnly)
      s = Status(Code::kReadOnly, s.message() + " (the data directory is not writable; check its permissions "
                                               "or pass another --data)");
    return s;
  }
  MDB_envinfo info;
  mdb_env_info(impl->env, &info);
  impl->map_size = info.me_mapsize;
  // A data file shorter than the pages its meta page counts (cut short by a
  // copy, a full disk, a bad restore) would be mapped anyway, and reading a
  // page past its end kills the process (SIGBUS): refuse it here.
  if (auto s = check_file_size(impl->env, options.dir / "data.mdb", info); !s.ok()) return s;

  // Open (and on first use create) every named database, and check the format.
  Archive* self = nullptr;
  auto archive = std::unique_ptr<Archive>(new Archive(std::move(impl)));
  self = archive.get();
  auto txn = self->impl_->begin(self, options.read_only);
  if (!txn) return txn.status();
  for (int db = 0; db < kDbCount; ++db) {
    int rc = mdb_dbi_open((*txn)->txn, kDbNames[db], options.read_only ? 0 : MDB_CREATE, &self->impl_->dbis[db]);
    if (rc == MDB_NOTFOUND && options.read_only && is_provenance_db(db)) {
      self->impl_->absent[db] = true;  // an archive of format 3 or older: no revisions yet
      continue;
    }
    if (rc == MDB_NOTFOUND && options.read_only)
      return Status(Code::kNotFound, "no archive in " + where + " (import something first)");
    if (rc) return from_mdb(rc, std::string("open database ") + kDbNames[db] + " in " + where);
  }
  (*txn)->dbis = self->impl_->dbis;
  auto version = (*txn)->get(kMeta, "format_version");
  int format = kArchiveFormat;
  if (version) {
    int v = format = std::atoi(std::string(*version).c_str());
    if (v > kArchiveFormat)
      return Status(Code::kUnsupported, "the archive in " + where + " has format " + std::to_string(v) +
                                            ", newer than this defter's " + std::to_string(kArchiveFormat) +
                                            "; use the defter that wrote it, or a newer one");
  } else if (!options.read_only) {
    std::string v = std::to_string(kArchiveFormat);
    MDB_val k = as_val("format_version"), val = as_val(v);
    if (int rc = mdb_put((*txn)->txn, self->impl_->dbis[kMeta], &k, &val, 0))
      return from_mdb(rc, "write the archive's format version");
  }
  // Committing (a read transaction too) makes the database handles permanent.
  int rc = mdb_txn_commit((*txn)->txn);
  (*txn)->txn = nullptr;
  if (rc) return from_mdb(rc, "initialise the archive in " + where);
  txn->reset();
  // An older format is read as it is, and brought forward when the archive
  // is opened for writing, before anything of the newer format is written.
  if (format < 2) {
    // Format 1 had no seals: every value is sealed (and the format set).
    self->impl_->unsealed_allowed = true;
    if (!options.read_only) {
      if (auto s = self->seal_values(); !s.ok())
        return s.with_context("upgrade the archive in " + where + " to format " + std::to_string(kArchiveFormat));
      self->impl_->unsealed_allowed = false;
    }
  } else if (format < kArchiveFormat && !options.read_only) {
    // Format 2's values all read as format 3's, and format 3's databases
    // are format 4's (its new ones were created above): only the number
    // changes, so that an older defter refuses what it cannot read or would
    // write without revisions, with a message.
    Status s = self->write([](WriteBatch& batch) { return batch.put_value(kMeta, "format_version", std::to_string(kArchiveFormat)); });
    if (!s.ok()) return s.with_context("upgrade the archive in " + where + " to format " + std::to_string(kArchiveFormat));
  }
  return archive;
}

// Seals every record value written by format 1, a few thousand a
// transaction (an interrupted upgrade resumes: sealed values are skipped),
// then records format 2 in the same transaction as the last of them.
Status Archive::seal_values() {
  constexpr std::size_t kPerTransaction = 2000;
  const int dbs[] = {kAuthors, kArticles, kTranslations};
  std::string from[3];
  for (bool done = false; !done;) {
    Status s = write([&](WriteBatch& batch) -> Status {
      std::vector<std::pair<std::string, std::string>> unsealed;  // key, value
      std::vector<int> unsealed_db;
      std::string resume[3] = {from[0], from[1], from[2]};
      for (int i = 0; i < 3 && unsealed.size() < kPerTransaction; ++i) {
        Status scanned = batch.txn_->scan(dbs[i], resume[i], "", [&](std::string_view key, std::string_view value) {
          resume[i] = std::string(key);
          if (!value.empty() && value[0] == kSealTag) return true;
          unsealed.emplace_back(std::string(key), std::string(value));
          unsealed_db.push_back(dbs[i]);
          return unsealed.size() < kPerTransaction;
        });
        if (!scanned.ok()) return scanned;
      }
      for (std::size_t i = 0; i < unsealed.size(); ++i)
        if (auto put = batch.put_value(unsealed_db[i], unsealed[i].first, seal(unsealed_db[i], unsealed[i].first, unsealed[i].second)); !put.ok())
          return put;
      done = unsealed.size() < kPerTransaction;
      if (done) return batch.put_value(kMeta, "format_version", std::to_string(kArchiveFormat));
      for (int i = 0; i < 3; ++i) from[i] = resume[i];
      return {};
    });
    if (!s.ok()) return s;
  }
  return {};
}

Result<Snapshot> Archive::snapshot() const {
  auto txn = impl_->begin(const_cast<Archive*>(this), true);
  if (!txn) return txn.status();
  return Snapshot(std::move(*txn));
}

Status Archive::write(const std::function<Status(WriteBatch&)>& fn, bool commit) {
  for (;;) {
    auto txn = impl_->begin(this, false);
    if (!txn) return txn.status();
    TxnHandle& h = **txn;
    WriteBatch batch(&h);
    Status s = fn(batch);
    int rc = 0;
    if (s.ok() && !h.map_full && commit) {
      rc = mdb_txn_commit(h.txn);
      h.txn = nullptr;
      if (rc == MDB_MAP_FULL) h.map_full = true;
      else if (rc) return write_error(rc, "commit to the archive in " + impl_->options.dir.string(), impl_->options.dir);
    }
    if (!h.map_full) return s;
    txn->reset();  // abort, releasing the resize guard
    if (Status grown = impl_->resize(true); !grown.ok()) return grown;
  }
}

}  // namespace defter::archive
