// Publishes while the broker is unreachable (after a first connection:
// before it they wait as busy) go to the bounded offline buffer; a full
// buffer drops its oldest (logged, failed back to the route, whose retry
// brings it back), and everything arrives once the broker is back.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "fixture.hpp"

namespace sluice::test::mqtt {
namespace {

TEST(MqttOfflineBuffer, PublishesWaitForTheBrokerAndOverflowIsLoggedNotLost) {
  TempDir dir;
  PrivateBroker broker({});
  broker.start();
  std::string root = unique_root("offline");
  std::string out_path = dir.file("out.txt");
  auto sluice = start_with_config(
      dir, config_header("offline") + "connectors:\n  gen:\n    plugin: generate\n    count: 40\n" +
               "    rate: 20\n    payload: 'n-${counter}'\n" +
               connector_yaml("m", broker.plain(),
                              "    max_buffered: 5\n    reconnect_wait_ms: 50\n"
                              "    reconnect_wait_max_ms: 200\n    subscriptions: [\"" +
                                  root +
                                  "/out\"]\n"
                                  "    retry: {max_attempts: 1000, initial_backoff_ms: 20, "
                                  "max_backoff_ms: 100}\n") +
               "  out:\n    plugin: file\n    mode: sink\n    path: " + out_path +
               "\nroutes:\n  - from: gen\n    to: \"m:" + root + "/out\"\n" +
               "  - from: \"m:" + root + "/out\"\n    to: out\n");
  expect_logged(sluice, "MQTT connector ready", 1, std::chrono::seconds(20));
  broker.kill();  // the generator goes on at 20/s for 2 s
  expect_logged(sluice, "MQTT offline buffer full (max_buffered 5): dropped the oldest", 1,
                std::chrono::seconds(20));
  broker.start();
  // Subscriptions are made before the buffer is flushed, so sluice reads back
  // what it publishes.
  auto lines = [&] {
    std::set<std::string> out;
    std::istringstream in(read_file(out_path));
    for (std::string line; std::getline(in, line);) out.insert(line);
    return out;
  };
  // At 20/s, at most the one or two messages the broker acknowledged but had
  // not yet delivered back when it was killed are gone with its memory (they
  // were completed, so nobody retries them); the ~30 dropped from the
  // buffer and retried must all be here.
  wait_until([&] { return lines().size() >= 40; }, std::chrono::seconds(20));
  auto got = lines();
  EXPECT_GE(got.size(), 37u) << sluice.output();
  for (const auto& l : got) EXPECT_TRUE(l.starts_with("n-")) << l;
}

}  // namespace
}  // namespace sluice::test::mqtt
