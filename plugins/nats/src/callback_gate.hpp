// Lets cnats delivery threads into plugin code only while the gate is
// open, and lets stop() close it and wait until no callback is inside: after
// that, the plugin never calls emit again (the ABI's promise for stop).
#pragma once

#include <atomic>
#include <chrono>
#include <thread>

namespace sluice::nats {

class CallbackGate {
 public:
  // True: the caller is inside and must call leave(). False: closed.
  bool enter() {
    active_.fetch_add(1);
    if (closed_.load()) {
      active_.fetch_sub(1);
      return false;
    }
    return true;
  }
  void leave() { active_.fetch_sub(1); }
  bool closed() const { return closed_.load(); }

  // Closes the gate and waits (bounded) until every caller has left.
  void close_and_wait(std::chrono::milliseconds timeout) {
    closed_.store(true);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (active_.load() > 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

 private:
  std::atomic<int> active_{0};
  std::atomic<bool> closed_{false};
};

// Scoped enter/leave.
class GatePass {
 public:
  explicit GatePass(CallbackGate& gate) : gate_(gate), inside_(gate.enter()) {}
  ~GatePass() {
    if (inside_) gate_.leave();
  }
  GatePass(const GatePass&) = delete;
  GatePass& operator=(const GatePass&) = delete;
  explicit operator bool() const { return inside_; }

 private:
  CallbackGate& gate_;
  bool inside_;
};

}  // namespace sluice::nats
