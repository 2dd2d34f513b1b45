// Lets a source's threads emit until stop(), and makes stop() wait for an
// emit in progress: the ABI forbids emit once stop has returned.
#pragma once

#include <shared_mutex>

namespace sluice::http_plugin {

class EmitGate {
 public:
  // Runs `emit` unless closed; false when closed.
  template <class F>
  bool run(F&& emit) {
    std::shared_lock lock(mutex_);
    if (closed_) return false;
    emit();
    return true;
  }
  void close() {
    std::unique_lock lock(mutex_);
    closed_ = true;
  }

 private:
  std::shared_mutex mutex_;
  bool closed_ = false;
};

}  // namespace sluice::http_plugin
