#include "metrics/registry.hpp"

#include <algorithm>

namespace sluice::metrics {

void Histogram::observe(double seconds) {
  size_t i = std::lower_bound(kBounds.begin(), kBounds.end(), seconds) - kBounds.begin();
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  double cur = sum_.load(std::memory_order_relaxed);
  while (!sum_.compare_exchange_weak(cur, cur + seconds, std::memory_order_relaxed)) {
  }
}

uint64_t Histogram::cumulative(size_t i) const {
  uint64_t total = 0;
  for (size_t b = 0; b <= i && b < buckets_.size(); ++b)
    total += buckets_[b].load(std::memory_order_relaxed);
  return total;
}

std::array<uint64_t, Histogram::kBounds.size() + 1> Histogram::cumulative_snapshot() const {
  std::array<uint64_t, kBounds.size() + 1> out{};
  uint64_t total = 0;
  for (size_t b = 0; b < buckets_.size(); ++b) {
    total += buckets_[b].load(std::memory_order_relaxed);
    out[b] = total;
  }
  return out;
}

Series& Registry::series(const std::string& name, const std::string& help, Kind kind,
                         const Labels& labels) {
  std::lock_guard lock(mutex_);
  auto& family = families_[name];
  if (!family) {
    family = std::make_unique<Family>();
    family->name = name;
    family->help = help;
    family->kind = kind;
  }
  auto [it, fresh] = family->by_labels.emplace(labels, nullptr);
  if (!fresh) return *it->second;
  auto& s = family->series.emplace_back();
  s.labels = labels;
  it->second = &s;
  return s;
}

Counter& Registry::counter(const std::string& name, const std::string& help, const Labels& labels) {
  return series(name, help, Kind::kCounter, labels).counter;
}
Gauge& Registry::gauge(const std::string& name, const std::string& help, const Labels& labels) {
  return series(name, help, Kind::kGauge, labels).gauge;
}
Histogram& Registry::histogram(const std::string& name, const std::string& help,
                               const Labels& labels) {
  return series(name, help, Kind::kHistogram, labels).histogram;
}
void Registry::sampled_gauge(const std::string& name, const std::string& help, const Labels& labels,
                             std::function<double()> sample, const void* owner) {
  auto& s = series(name, help, Kind::kGauge, labels);
  std::lock_guard lock(mutex_);
  s.sample = std::move(sample);
  s.owner = owner;
  if (owner) owned_[owner].push_back(&s);
}

void Registry::detach(const void* owner) {
  std::lock_guard lock(mutex_);
  auto it = owned_.find(owner);
  if (it == owned_.end()) return;
  for (Series* s : it->second) {
    // A later sampled_gauge may have given the series to another owner.
    if (s->owner != owner) continue;
    s->sample = nullptr;
    s->owner = nullptr;
  }
  owned_.erase(it);
}

void Registry::for_each(const std::function<void(const Family&)>& fn) const {
  std::lock_guard lock(mutex_);
  for (const auto& [name, family] : families_) fn(*family);
}

}  // namespace sluice::metrics
