// Locking a std::mutex whose critical sections last a few dozen
// nanoseconds but are entered once per message by two threads (a source
// registering a message, a worker acking one). A plain lock() sends the
// loser to sleep in the kernel and the winner through a futex wake-up on
// unlock: microseconds for a wait of nanoseconds. Spinning briefly on
// try_lock() first lets the loser get in as soon as the holder leaves.
#pragma once

#include <mutex>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace sluice {

// Locks `m`, spinning up to about a microsecond before blocking.
inline void lock_briefly(std::mutex& m) {
  for (int i = 0; i < 128; ++i) {
    if (m.try_lock()) return;
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#endif
  }
  m.lock();
}

// std::lock_guard with lock_briefly().
class BriefLock {
 public:
  explicit BriefLock(std::mutex& m) : m_(m) { lock_briefly(m_); }
  ~BriefLock() { m_.unlock(); }
  BriefLock(const BriefLock&) = delete;
  BriefLock& operator=(const BriefLock&) = delete;

 private:
  std::mutex& m_;
};

}  // namespace sluice
