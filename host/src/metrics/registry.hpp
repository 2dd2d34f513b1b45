// Counters, gauges and histograms with labels, cheap to update from any
// thread (one relaxed atomic op), registered once and read by the admin
// endpoints (Prometheus text, JSON) and the StatsD exporter.
#pragma once

#include <array>
#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sluice::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

enum class Kind { kCounter, kGauge, kHistogram };

class Counter {
 public:
  void add(double v = 1) {
    double cur = value_.load(std::memory_order_relaxed);
    while (!value_.compare_exchange_weak(cur, cur + v, std::memory_order_relaxed)) {
    }
  }
  void inc() { add(1); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double v) {
    double cur = value_.load(std::memory_order_relaxed);
    while (!value_.compare_exchange_weak(cur, cur + v, std::memory_order_relaxed)) {
    }
  }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Fixed buckets in seconds, from 50 us to 10 s, for latencies.
class Histogram {
 public:
  static constexpr std::array<double, 16> kBounds = {
      0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
      0.025,   0.05,   0.1,     0.25,   0.5,   1,      2.5,   10};
  void observe(double seconds);
  // Cumulative count for bucket i (le kBounds[i]); i == size is +Inf.
  uint64_t cumulative(size_t i) const;
  // Every cumulative count from one read of each bucket, so that a scrape
  // racing with observe() still shows monotonic buckets and _count == +Inf.
  std::array<uint64_t, kBounds.size() + 1> cumulative_snapshot() const;
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::array<std::atomic<uint64_t>, kBounds.size() + 1> buckets_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

struct Series {
  Labels labels;
  Counter counter;
  Gauge gauge;
  Histogram histogram;
  std::function<double()> sample;  // for gauges computed on read
  const void* owner = nullptr;     // whose state `sample` reads
};

struct Family {
  std::string name;
  std::string help;
  Kind kind = Kind::kCounter;
  std::deque<Series> series;  // deque: addresses stay valid as it grows
  // Labels -> series: finding a series by a linear scan made registering n
  // connectors (a dozen series each) cost n^2 label comparisons.
  std::map<Labels, Series*> by_labels;
};

class Registry {
 public:
  Counter& counter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram& histogram(const std::string& name, const std::string& help, const Labels& labels = {});
  // A gauge whose value is computed when read (queue depth, RSS).
  // `owner` must call detach(owner) before the state `sample` reads goes
  // away; afterwards the gauge reads 0.
  void sampled_gauge(const std::string& name, const std::string& help, const Labels& labels,
                     std::function<double()> sample, const void* owner = nullptr);
  void detach(const void* owner);

  // Calls `fn` for each family in name order, under the registry lock.
  void for_each(const std::function<void(const Family&)>& fn) const;

 private:
  Series& series(const std::string& name, const std::string& help, Kind kind, const Labels& labels);
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Family>> families_;
  // The sampled series of each owner, so detach() touches only its own.
  std::unordered_map<const void*, std::vector<Series*>> owned_;
};

}  // namespace sluice::metrics
