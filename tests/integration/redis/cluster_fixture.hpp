// A Redis Cluster of the test's own: three cluster-enabled redis-servers on
// free loopback ports (masters, no replicas) joined with `redis-cli
// --cluster create`, and what the cluster tests ask of it through redis-cli
// (never through sluice's own slot code): which node owns a slot, each key's
// slot, and moving a slot with its keys to another node.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "fixture.hpp"

namespace sluice::test::redis {

class PrivateCluster {
 public:
  PrivateCluster();  // started, joined, cluster_state:ok on every node (else ok() is false)

  bool ok() const { return ok_; }
  // Waits until every node says cluster_state:ok (after a node came back).
  bool wait_ok();
  const std::vector<uint16_t>& ports() const { return ports_; }
  // The i-th node's server (kill9() and start() it; nodes.conf keeps its identity).
  PrivateRedis& node(size_t i) { return *nodes_[i]; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(ports_[0]); }
  // Per slot, the node serving it as its own CLUSTER NODES says (0: none).
  std::vector<uint16_t> slot_owners() const;
  uint16_t owner_of_slot(int slot) const { return slot_owners()[slot]; }
  // CLUSTER KEYSLOT of each key, in one redis-cli.
  std::vector<int> slots_of(const std::vector<std::string>& keys) const;
  // Moves `slot` and its keys to the node at `to` the way redis-cli
  // --cluster reshard does, in two steps: start_migration sets the slot
  // IMPORTING on `to` and MIGRATING on its owner and MIGRATEs its keys (the
  // old owner then answers ASK for them); finish_migration gives the slot to
  // `to` on every node (the old owner then answers MOVED).
  void start_migration(int slot, uint16_t to);
  void finish_migration(int slot, uint16_t to);
  void move_slot(int slot, uint16_t to) {
    start_migration(slot, to);
    finish_migration(slot, to);
  }

 private:
  std::vector<std::unique_ptr<PrivateRedis>> nodes_;
  std::vector<uint16_t> ports_;
  bool ok_ = false;
  uint16_t migrating_from_ = 0;
};

// Every line that redis-cli answers to the commands (one per line of
// `commands`, redis-cli syntax) sent through one redis-cli against `port`.
std::vector<std::string> cli_lines(const std::string& commands, uint16_t port);

}  // namespace sluice::test::redis
