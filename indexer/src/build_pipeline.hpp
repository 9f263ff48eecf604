// Building a record's documents on one thread while another writes the
// previous ones into a Xapian shard (build_pipeline.cpp).
#pragma once

#include <xapian.h>

#include <cstddef>
#include <functional>
#include <string>
#include <tuple>
#include <vector>

#include "defter/archive/archive.hpp"
#include "defter/indexer/index.hpp"
#include "defter/schema/status.hpp"

namespace defter::indexer {

// One record of the archive, rebuilt whole: an article with its
// translations, or an author with the biographies.
struct Unit {
  schema::RecordType type;
  std::string id;
  bool operator<(const Unit& o) const { return std::tie(type, id) < std::tie(o.type, o.id); }
};

// Writes the documents of `units` into `db`, in order, building them on a
// thread of their own; after_chunk(done) is called once every chunk is
// written (the caller commits there). Deletes the documents of a record
// that is gone. `fresh`: db held no document when the caller started and
// each unit comes once, so documents are added without looking for the
// ones they replace.
Status index_units(Xapian::WritableDatabase& db, archive::Archive& archive, const std::vector<Unit>& units,
                   DrainStats& stats, const std::function<void(std::size_t done)>& after_chunk, bool fresh = false);

}  // namespace defter::indexer
