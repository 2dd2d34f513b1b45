// A private Redis Cluster (see cluster_fixture.hpp).
#include "cluster_fixture.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace sluice::test::redis {

namespace {

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// Redis 7.0 refuses a cluster node on a port above 55535 (its bus port
// would be past 65535), even with --cluster-port set.
uint16_t free_cluster_port() {
  for (;;)
    if (uint16_t p = free_tcp_port(); p <= 55535) return p;
}

}  // namespace

std::vector<std::string> cli_lines(const std::string& commands, uint16_t port) {
  TempDir dir;
  std::string path = dir.file("commands.txt");
  write_file(path, commands);
  ProcessOptions options;
  options.stdin_file = path;
  Process p({"redis-cli", "-h", "127.0.0.1", "-p", std::to_string(port)}, {}, options);
  auto status = p.wait(std::chrono::seconds(60));
  EXPECT_TRUE(status.has_value() && *status == 0) << p.output();
  std::vector<std::string> lines;
  std::istringstream in(p.output());
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

PrivateCluster::PrivateCluster() {
  for (int i = 0; i < 3; ++i) {
    // The bus port is set too: port + 10000 need not be free.
    nodes_.push_back(std::make_unique<PrivateRedis>(
        std::vector<std::string>{"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                                 "--cluster-port", std::to_string(free_tcp_port()),
                                 "--cluster-node-timeout", "5000", "--appendonly", "no"},
        free_cluster_port()));
    ports_.push_back(nodes_.back()->port());
  }
  std::vector<std::string> create = {"redis-cli", "--cluster", "create"};
  for (uint16_t p : ports_) create.push_back("127.0.0.1:" + std::to_string(p));
  create.push_back("--cluster-yes");
  std::string out;
  int status = run_command(create, {}, &out, std::chrono::seconds(60));
  if (status != 0) {
    ADD_FAILURE() << "redis-cli --cluster create failed: " << out;
    return;
  }
  ok_ = wait_ok();
  if (!ok_) ADD_FAILURE() << "the cluster did not reach cluster_state:ok";
}

bool PrivateCluster::wait_ok() {
  return wait_until(
      [&] {
        for (uint16_t p : ports_) {
          std::string out;
          run_command({"redis-cli", "-h", "127.0.0.1", "-p", std::to_string(p), "CLUSTER", "INFO"},
                      {}, &out);
          if (out.find("cluster_state:ok") == std::string::npos) return false;
        }
        return true;
      },
      std::chrono::seconds(30), std::chrono::milliseconds(50));
}

std::vector<uint16_t> PrivateCluster::slot_owners() const {
  std::vector<uint16_t> owners(16384, 0);
  for (uint16_t p : ports_) {
    std::istringstream nodes(cli({"CLUSTER", "NODES"}, p));
    for (std::string line; std::getline(nodes, line);) {
      if (line.find("myself") == std::string::npos) continue;
      std::istringstream fields(line);
      std::vector<std::string> f;
      for (std::string w; fields >> w;) f.push_back(w);
      for (size_t i = 8; i < f.size(); ++i) {  // "0-5460", "5461" or "[...]" (migrating)
        if (f[i].front() == '[') continue;
        size_t dash = f[i].find('-');
        int first = std::stoi(f[i].substr(0, dash));
        int last = dash == std::string::npos ? first : std::stoi(f[i].substr(dash + 1));
        for (int slot = first; slot <= last && slot < 16384; ++slot) owners[slot] = p;
      }
    }
  }
  return owners;
}

std::vector<int> PrivateCluster::slots_of(const std::vector<std::string>& keys) const {
  std::string commands;
  for (const auto& k : keys) commands += "CLUSTER KEYSLOT " + k + "\n";
  std::vector<int> slots;
  for (const auto& line : cli_lines(commands, ports_[0])) slots.push_back(std::stoi(line));
  EXPECT_EQ(slots.size(), keys.size());
  return slots;
}

void PrivateCluster::start_migration(int slot, uint16_t to) {
  uint16_t from = owner_of_slot(slot);
  migrating_from_ = from;
  ASSERT_NE(from, to);
  std::string from_id = trimmed(cli({"CLUSTER", "MYID"}, from));
  std::string to_id = trimmed(cli({"CLUSTER", "MYID"}, to));
  std::string s = std::to_string(slot);
  ASSERT_EQ(trimmed(cli({"CLUSTER", "SETSLOT", s, "IMPORTING", from_id}, to)), "OK");
  ASSERT_EQ(trimmed(cli({"CLUSTER", "SETSLOT", s, "MIGRATING", to_id}, from)), "OK");
  for (;;) {
    std::string keys = cli({"CLUSTER", "GETKEYSINSLOT", s, "100"}, from);
    std::vector<std::string> migrate = {"MIGRATE", "127.0.0.1", std::to_string(to), "", "0",
                                        "5000",    "KEYS"};
    std::istringstream in(keys);
    size_t n = 0;
    for (std::string k; std::getline(in, k);)
      if (!k.empty()) migrate.push_back(k), ++n;
    if (n == 0) break;
    ASSERT_EQ(trimmed(cli(migrate, from)), "OK");
  }
}

void PrivateCluster::finish_migration(int slot, uint16_t to) {
  uint16_t from = migrating_from_;
  std::string to_id = trimmed(cli({"CLUSTER", "MYID"}, to));
  std::string s = std::to_string(slot);
  // The new owner first, then the old one (which then answers MOVED), then the rest.
  ASSERT_EQ(trimmed(cli({"CLUSTER", "SETSLOT", s, "NODE", to_id}, to)), "OK");
  ASSERT_EQ(trimmed(cli({"CLUSTER", "SETSLOT", s, "NODE", to_id}, from)), "OK");
  for (uint16_t p : ports_)
    if (p != from && p != to) cli({"CLUSTER", "SETSLOT", s, "NODE", to_id}, p);
}

}  // namespace sluice::test::redis
