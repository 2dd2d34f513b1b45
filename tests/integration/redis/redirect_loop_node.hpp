// A stand-in for a Redis Cluster node that is never the right one: its
// CLUSTER SLOTS says it serves every slot, yet it answers every keyed
// command with a MOVED to itself. A client that follows redirects without a
// bound would loop forever; sluice must give up with a clear error.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>

namespace sluice::test::redis {

class RedirectLoopNode {
 public:
  RedirectLoopNode();  // listening on a free loopback port
  ~RedirectLoopNode();
  RedirectLoopNode(const RedirectLoopNode&) = delete;
  RedirectLoopNode& operator=(const RedirectLoopNode&) = delete;

  uint16_t port() const { return port_; }

 private:
  void serve();

  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace sluice::test::redis
