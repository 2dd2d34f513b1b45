// The crash harness on RabbitMQ, both ways: a queue consumed into a file
// (acks follow the file sink's confirmations) and a file published into a
// queue (publisher confirms advance the file checkpoint). sluice is killed
// with SIGKILL at random moments, restarted, and left to finish;
// at-least-once: nothing lost, nothing corrupt, duplicates counted.
#include "support/chaos.hpp"

#include <gtest/gtest.h>

#include "fixture.hpp"
#include "support/numbered_json_lines.hpp"

namespace sluice::test::rabbitmq {
namespace {

constexpr size_t kInputs = 20000;

class RabbitChaos : public ::testing::Test {
 protected:
  void SetUp() override { queue_ = unique_name("chaos"); }
  void TearDown() override { AmqpClient(amqp_url()).delete_queue(queue_); }

  std::string connector(const std::string& extra) const {
    return "connectors:\n  bus:\n    plugin: rabbitmq\n    url: " + amqp_url() +
           "\n    reconnect_wait_ms: 100\n    queues: [{name: " + queue_ + "}]\n" + extra;
  }

  TempDir dir_;
  std::string queue_;
};

TEST_F(RabbitChaos, QueueToFile_KilledAtRandom_NothingLostOrCorrupt) {
  AmqpClient client(amqp_url());
  client.declare_queue(queue_);
  std::vector<Publish> batch;
  std::string lines = numbered_json_lines(kInputs);
  for (size_t begin = 0; begin < lines.size();) {
    size_t end = lines.find('\n', begin);
    batch.push_back({"", queue_, lines.substr(begin, end - begin)});
    begin = end + 1;
  }
  client.publish_many(batch);
  const std::string out = dir_.file("out.jsonl");
  write_file(dir_.file("sluice.yaml"),
             config_header("chaos-rq") +
                 connector("    consume: [" + queue_ + "]\n    prefetch: 500\n") +
                 "  out: { plugin: file, mode: sink, path: \"" + out +
                 "\", flush_interval_ms: 20 }\nroutes:\n  - from: bus\n    to: out\n");
  ChaosScenario scenario{
      "rabbitmq -> file",
      kInputs,
      [&] { return Process(SluiceProcess::run(dir_.file("sluice.yaml"))); },
      [&] { return count_lines(out); },
      [&] { return read_lines(out); },
      numbered_payload,
  };
  expect_at_least_once(run_chaos(scenario, ChaosSettings::from_env(5)));
}

TEST_F(RabbitChaos, FileToQueue_KilledAtRandom_NothingLostOrCorrupt) {
  write_file(dir_.file("in.jsonl"), numbered_json_lines(kInputs));
  write_file(dir_.file("sluice.yaml"),
             config_header("chaos-fq") + "state_dir: " + dir_.file("state") + "\n" +
                 connector("    exchange: \"\"\n") +
                 "  in: { plugin: file, mode: source, path: \"" + dir_.file("in.jsonl") +
                 "\", checkpoint_interval_ms: 20 }\nroutes:\n  - from: in\n    to: \"bus:" +
                 queue_ + "\"\n");
  AmqpClient client(amqp_url());
  client.declare_queue(queue_);
  // Progress is what the queue holds (a passive declare: one round trip,
  // nothing consumed), so the kills land while sluice is still publishing;
  // the outputs are read out of the queue at the end.
  std::vector<std::string> received;
  ChaosScenario scenario{
      "file -> rabbitmq",
      kInputs,
      [&] { return Process(SluiceProcess::run(dir_.file("sluice.yaml"))); },
      [&] {
        auto counts = client.queue_counts(queue_);
        return received.size() + (counts ? counts->messages : 0);
      },
      [&] {
        while (auto m = client.get(queue_)) received.push_back(std::move(m->body));
        return received;
      },
      numbered_payload,
  };
  expect_at_least_once(run_chaos(scenario, ChaosSettings::from_env(5)));
}

}  // namespace
}  // namespace sluice::test::rabbitmq
