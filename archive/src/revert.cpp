// Reverts: a run's changes undone record by record, or one record put back
// at a revision; each is a run of its own, written in batches.
#include "store.hpp"

#include <algorithm>

namespace defter::archive {

namespace {

std::string label(RecordType type, std::string_view id) {
  return std::string(type == RecordType::kAuthor ? "author " : "article ") + std::string(id);
}

// What a revert will do to one record, decided on what a Reader sees.
struct Plan {
  RevertItem item;
  std::uint64_t first = 0;        // a run's revert: the run's first revision of the record
  std::vector<StoredPart> parts;  // the values to put back (when item.action is not a skip)
};

bool exists(const Reader& r, RecordType type, std::string_view id) {
  return type == RecordType::kAuthor ? r.has_author(id) : r.has_article(id);
}

// The action a change from the record as it is to `parts` is.
std::string action_of(const Reader& r, RecordType type, std::string_view id, const std::vector<StoredPart>& parts) {
  bool now = exists(r, type, id);
  bool then = std::any_of(parts.begin(), parts.end(), [](const StoredPart& p) { return p.lang.empty() && p.stored; });
  return now && then ? "restored" : now ? "removed" : then ? "re-added" : "unchanged";
}

// Run `run`'s changes of one record undone: back to before the first
// revision `first` it made, unless a later write changed it too.
Plan plan_record(const Reader& r, RecordType type, const std::string& id, std::uint64_t first, std::uint64_t run,
                 std::uint64_t revert_run, bool force) {
  Plan plan;
  plan.item.type = type;
  plan.item.id = id;
  plan.first = first;
  auto conflict = [&](std::string why) {
    plan.item.action = "conflict";
    plan.item.reason = std::move(why);
    return plan;
  };
  auto history = r.history(type, id);
  if (!history) return conflict(history.status().message());
  if (history->empty()) return conflict("it has no revisions");
  if (revert_run && history->front().run == revert_run) {
    plan.item.action = "already reverted";
    return plan;
  }
  bool first_kept = false;
  for (const auto& rev : *history) {
    if (rev.number < first) break;
    if (rev.number == first) first_kept = true;
    if (rev.run != run && !force)
      return conflict("changed since, in revision " + std::to_string(rev.number) + " by " +
                      (rev.who.empty() ? "someone" : rev.who) + " (" + rev.how +
                      (rev.run ? ", run " + std::to_string(rev.run) : std::string()) + ", " + rev.at +
                      "); --force puts it back anyway");
  }
  if (!first_kept) return conflict("its revisions from run " + std::to_string(run) + " were pruned");
  auto parts = r.parts_at(type, id, first - 1);
  if (!parts) return conflict(parts.status().message());
  plan.parts = std::move(*parts);
  plan.item.action = action_of(r, type, id, plan.parts);
  return plan;
}

// Authors put back first, then articles, then authors removed: no
// article is written naming an author not yet there, no author removed
// while an article the revert puts back names it.
int phase(const Plan& p) {
  if (p.item.type == RecordType::kArticle) return 1;
  return p.item.action == "removed" ? 2 : 0;
}

void count(RunCounts& c, const RevertItem& item) {
  if (item.action == "restored") ++c.replaced;
  else if (item.action == "removed") ++c.deleted;
  else if (item.action == "re-added") ++c.added;
  else if (item.action == "conflict") ++c.conflicts;
  else ++c.unchanged;
}

// Writes the plans in batches, each with the run's counts so far; skips and
// conflicts are reported as they are. A plan made on a snapshot is made
// again in its batch's transaction, which has the last word.
Status write_plans(Archive& archive, Run& run, std::vector<Plan>& plans, std::size_t batch_records,
                   const std::function<Plan(const Reader&, const Plan&)>& replan, RevertReport& report,
                   const std::function<void(const RevertItem&)>& on_item) {
  std::stable_sort(plans.begin(), plans.end(), [](const Plan& a, const Plan& b) { return phase(a) < phase(b); });
  Origin origin{run.who, "revert", run.reverts ? "revert of run " + std::to_string(run.reverts) : "revert of " + run.record, run.id};
  for (std::size_t start = 0; start < plans.size(); start += batch_records) {
    std::size_t end = std::min(plans.size(), start + batch_records);
    std::vector<RevertItem> items;
    RunCounts counts;
    Status s = archive.write([&](WriteBatch& batch) -> Status {
      items.clear();
      counts = run.counts;
      batch.set_origin(origin);
      for (std::size_t i = start; i < end; ++i) {
        Plan p = replan(batch, plans[i]);
        if (p.item.action != "conflict" && p.item.action != "already reverted" && p.item.action != "unchanged") {
          Status w = batch.restore(p.item.type, p.item.id, p.parts);
          if (w.code() == Code::kConflict) {
            p.item.action = "conflict";
            p.item.reason = w.message();
          } else if (!w.ok()) {
            return w;
          }
        }
        count(counts, p.item);
        items.push_back(std::move(p.item));
      }
      Run updated = run;
      updated.counts = counts;
      return batch.put_run(updated);
    });
    if (!s.ok()) return s;
    run.counts = counts;
    for (auto& item : items) {
      if (on_item) on_item(item);
      report.items.push_back(std::move(item));
    }
  }
  return {};
}

// A revert's own run, before it starts.
Run revert_run_of(const RevertOptions& options) {
  Run run;
  run.how = "revert";
  run.who = options.who;
  run.started = now_utc();
  return run;
}

Status finish(Archive& archive, Run& run) {
  run.complete = true;
  run.ended = now_utc();
  return archive.write([&](WriteBatch& batch) { return batch.put_run(run); });
}

}  // namespace

Result<RevertReport> revert_run(Archive& archive, std::uint64_t run_id, const RevertOptions& options,
                                const std::function<void(const RevertItem&)>& on_item) {
  RevertReport report;
  Run run;
  std::vector<Plan> plans;
  {
    auto snap = archive.snapshot();
    if (!snap) return snap.status();
    auto reverted = snap->run(run_id);
    if (!reverted) return reverted.status();
    auto runs = snap->runs();
    if (!runs) return runs.status();
    for (const auto& other : *runs) {
      if (other.reverts != run_id) continue;
      if (other.complete)
        return Status(Code::kConflict, "run " + std::to_string(run_id) + " was reverted by run " +
                                           std::to_string(other.id) + " already (revert run " +
                                           std::to_string(other.id) + " to undo that)");
      run = other;  // a revert cut short: it goes on
      report.resumed = true;
    }
    auto records = snap->run_records(run_id);
    if (!records) return records.status();
    for (const auto& rec : *records)
      plans.push_back(plan_record(*snap, rec.type, rec.id, rec.first, run_id, run.id, options.force));
  }
  if (options.dry_run) {
    std::stable_sort(plans.begin(), plans.end(), [](const Plan& a, const Plan& b) { return phase(a) < phase(b); });
    for (auto& p : plans) {
      count(report.counts, p.item);
      if (on_item) on_item(p.item);
      report.items.push_back(std::move(p.item));
    }
    return report;
  }
  if (!report.resumed) {
    run = revert_run_of(options);
    run.reverts = run_id;
    if (auto s = start_run(archive, run); !s.ok()) return s;
  }
  report.run = run.id;
  auto replan = [&](const Reader& r, const Plan& p) {
    return plan_record(r, p.item.type, p.item.id, p.first, run_id, run.id, options.force);
  };
  if (auto s = write_plans(archive, run, plans, std::max<std::size_t>(1, options.batch_records), replan, report, on_item); !s.ok())
    return s;
  if (auto s = finish(archive, run); !s.ok()) return s;
  report.counts = run.counts;
  return report;
}

Result<RevertReport> revert_record(Archive& archive, RecordType type, std::string_view id, std::uint64_t to,
                                   const RevertOptions& options) {
  RevertReport report;
  auto plan_on = [&](const Reader& r) {
    Plan p;
    p.item.type = type;
    p.item.id = std::string(id);
    auto parts = r.parts_at(type, id, to);
    if (!parts) {
      p.item.action = "conflict";
      p.item.reason = parts.status().message();
      return p;
    }
    p.parts = std::move(*parts);
    p.item.action = action_of(r, type, id, p.parts);
    return p;
  };
  std::vector<Plan> plans;
  {
    auto snap = archive.snapshot();
    if (!snap) return snap.status();
    plans.push_back(plan_on(*snap));
  }
  if (plans[0].item.action == "conflict") {
    // No such revision: nothing to do, said as the error it is.
    return Status(Code::kNotFound, plans[0].item.reason);
  }
  if (options.dry_run) {
    count(report.counts, plans[0].item);
    report.items.push_back(plans[0].item);
    return report;
  }
  Run run = revert_run_of(options);
  run.record = label(type, id) + " to revision " + std::to_string(to);
  if (auto s = start_run(archive, run); !s.ok()) return s;
  report.run = run.id;
  if (auto w = write_plans(archive, run, plans, 1, [&](const Reader& r, const Plan&) { return plan_on(r); }, report, {}); !w.ok())
    return w;
  if (auto w = finish(archive, run); !w.ok()) return w;
  report.counts = run.counts;
  return report;
}

}  // namespace defter::archive
