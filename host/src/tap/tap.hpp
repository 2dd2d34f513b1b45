// `sluice tap`: copies of the messages flowing into and out of connectors,
// for a person watching a running instance. A tap samples: it never makes
// routing wait. Each one is a bounded ring that drops (and counts) what its
// reader did not take in time, at most kMaxTaps exist at once, and with
// none open the hot path pays one relaxed atomic load.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <sluice/common/subject_pattern.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "message/envelope.hpp"
#include "metrics/registry.hpp"
#include "routing/predicate.hpp"

namespace sluice::tap {

enum class Direction : uint8_t { kIn, kOut };

// One message as the hub sees it: where it is going and what it is.
struct TappedMessage {
  Direction direction;
  std::string_view connector;  // the source (in) or the target (out)
  std::string_view route;      // out only: the route that sent it ("" if none)
  const message::Envelope& message;
  std::string_view subject;  // out: the subject the output publishes to
};

// What a tap wants to see; an empty member means "any".
struct TapFilter {
  std::string connector;
  std::optional<common::SubjectPattern> subject;
  std::string route;  // routes send only: a route tap sees outputs only
  std::optional<routing::Predicate> where;
  std::string node_id;  // for `where: { node_id: ... }`
};

class Tap {
 public:
  static constexpr size_t kMaxLines = 1024;
  static constexpr size_t kMaxBytes = 4 * 1024 * 1024;

  Tap(TapFilter filter, metrics::Counter* dropped_metric)
      : filter_(std::move(filter)), dropped_metric_(dropped_metric) {}

  bool wants(const TappedMessage& m) const;
  // Adds one rendered line; counts a drop when the ring is full or a reader
  // holds it (routing never waits for a reader).
  void push(std::string line);
  // Moves the waiting lines into `out`, preceded by {"dropped":N} when N
  // lines were dropped since the last take. False when nothing was waiting.
  bool take(std::string& out);
  uint64_t dropped_total() const { return dropped_total_.load(std::memory_order_relaxed); }

 private:
  void drop();

  const TapFilter filter_;
  metrics::Counter* dropped_metric_;
  std::mutex mutex_;
  std::vector<std::string> lines_;
  size_t bytes_ = 0;
  std::atomic<uint64_t> dropped_since_take_{0};
  std::atomic<uint64_t> dropped_total_{0};
};

// One JSON line: {"tap":"in"|"out","connector":..,"route":..,"subject":..,
// "key":..,"headers":{..},"timestamp":ms,"payload":..}.
std::string render_tap_line(const TappedMessage& m);

class TapHub;

// An open tap; closing it (destroying the lease) removes it from the hub.
class TapLease {
 public:
  TapLease(TapHub& hub, std::shared_ptr<Tap> tap) : hub_(hub), tap_(std::move(tap)) {}
  ~TapLease();
  TapLease(const TapLease&) = delete;
  TapLease& operator=(const TapLease&) = delete;
  Tap& tap() { return *tap_; }

 private:
  TapHub& hub_;
  std::shared_ptr<Tap> tap_;
};

class TapHub {
 public:
  static constexpr size_t kMaxTaps = 4;
  using TapList = std::vector<std::shared_ptr<Tap>>;

  explicit TapHub(metrics::Registry& metrics);
  ~TapHub();
  TapHub(const TapHub&) = delete;
  TapHub& operator=(const TapHub&) = delete;

  // A new tap, or nothing (and `error`) when kMaxTaps are open.
  std::unique_ptr<TapLease> open(TapFilter filter, std::string& error);

  // The hot path: true when some tap is open.
  bool active() const { return open_count_.load(std::memory_order_relaxed) > 0; }

  // Lines rendered for the taps that want a message, to be committed once
  // the message is really on its way (ingest may still refuse it).
  struct Pending {
    std::shared_ptr<const TapList> taps;  // keeps the taps alive
    std::vector<std::pair<Tap*, std::string>> lines;
  };
  Pending prepare(const TappedMessage& m) const;
  static void commit(Pending pending);
  void offer(const TappedMessage& m) const { commit(prepare(m)); }

 private:
  friend class TapLease;
  void close(const Tap* tap);

  metrics::Counter& dropped_;
  std::mutex mutex_;  // writers of taps_
  std::atomic<std::shared_ptr<const TapList>> taps_;
  std::atomic<int> open_count_{0};
  metrics::Registry& metrics_;
};

}  // namespace sluice::tap
