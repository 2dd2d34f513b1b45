// Per-partition bookkeeping of consumed offsets: which are with the host,
// which are done, which were refused (NACK) and must be read again. It says
// how far the partition may be committed: up to the first offset that is not
// done, never past an unfinished message, whatever order completions come in.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

namespace sluice::kafka {

class PartitionTracker {
 public:
  // What to do with an offset the consumer just read.
  enum class Arrival {
    kNew,        // first time seen: hand it to the host
    kRedeliver,  // it was refused earlier and is being read again: hand it over again
    kSkip        // already with the host or done (a replay after a seek): drop it
  };

  // Registers an offset read from the broker and marks it in flight unless
  // it is to be skipped. Offsets may jump forward (compaction, transaction
  // markers) and go back after a seek.
  Arrival on_message(int64_t offset);

  // The host finished the message: it may be committed once everything
  // before it is. Returns the new commit point when it moved.
  std::optional<int64_t> complete(int64_t offset);

  // The host refused the message (NACK): it blocks the commit point until it
  // is read again and completes. Returns true when a seek is now needed.
  bool refuse(int64_t offset);

  // Gives up on an in-flight message without an answer (revoke, shutdown):
  // it keeps blocking the commit point, so that the next owner reads it.
  void abandon(int64_t offset);

  // The lowest refused offset waiting for a seek, cleared by this call.
  std::optional<int64_t> take_seek_target();
  // Puts a seek target back after a seek failed, to try again later.
  void restore_seek_target(int64_t offset);
  bool seek_wanted() const;

  // The offset to commit (the next one to read after a restart), or nothing
  // before the first message.
  std::optional<int64_t> commit_point() const;
  // Messages handed over and not answered yet.
  size_t in_flight() const;
  // Messages tracked between the commit point and the newest one read.
  size_t tracked() const;

  // The full offset whose low `bits` bits are `low`, among the offsets this
  // tracker can still be asked about (at or above the commit point).
  int64_t resolve_low_bits(uint64_t low, unsigned bits) const;

 private:
  enum class State : uint8_t { kInFlight, kDone, kRefused, kAbandoned };

  using Window = std::deque<std::pair<int64_t, State>>;
  Window::iterator find_locked(int64_t offset);
  void sweep_locked();

  mutable std::mutex mutex_;
  bool started_ = false;
  int64_t committed_ = 0;  // everything below is done
  int64_t next_ = 0;       // one past the newest offset read
  // Offsets in [committed_, next_) not yet swept, in increasing order (they
  // arrive in order): a deque searched by bisection, so a message costs no
  // allocation here.
  Window window_;
  size_t in_flight_ = 0;
  std::optional<int64_t> seek_target_;
};

}  // namespace sluice::kafka
