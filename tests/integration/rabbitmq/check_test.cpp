// `sluice check` on RabbitMQ connectors: settings mistakes are reported with
// the config file's location and what to fix; nothing connects.
#include <gtest/gtest.h>

#include "fixture.hpp"

namespace sluice::test::rabbitmq {
namespace {

int check_connector(const std::string& settings, std::string* output) {
  TempDir dir;
  std::string path = dir.file("sluice.yaml");
  write_file(
      path, config_header("node-check") + "connectors:\n  bus:\n    plugin: rabbitmq\n" + settings);
  return run_sluice({"check", "-c", path}, output);
}

TEST(RabbitCheck, ValidSettings_Pass) {
  std::string output;
  EXPECT_EQ(
      check_connector("    url: [\"amqp://u:p@10.0.0.1:5672/prod\", \"amqps://mq.example\"]\n"
                      "    exchanges: [{name: tasks, type: topic}, {name: dlx, type: fanout}]\n"
                      "    queues:\n"
                      "      - {name: \"work-${node_id}\", max_priority: 10, "
                      "dead_letter_exchange: dlx}\n"
                      "      - {name: dead, type: quorum}\n"
                      "    bindings: [{queue: \"work-${node_id}\", exchange: tasks, "
                      "routing_key: \"freeswitch.#\"}]\n"
                      "    consume: [\"work-${node_id}\"]\n"
                      "    prefetch: 10\n",
                      &output),
      0)
      << output;
}

TEST(RabbitCheck, UnknownSetting_NamedWithSuggestionAndLocation) {
  std::string output;
  EXPECT_NE(check_connector("    prefetsh: 10\n", &output), 0);
  EXPECT_NE(output.find("unknown setting 'prefetsh'; did you mean 'prefetch'?"), std::string::npos)
      << output;
  EXPECT_NE(output.find("sluice.yaml:"), std::string::npos) << output;
  EXPECT_NE(output.find("connector 'bus' (rabbitmq)"), std::string::npos) << output;
}

TEST(RabbitCheck, BadUrl_SaysWhatIsWrong) {
  std::string output;
  EXPECT_NE(check_connector("    url: \"amqp://u:secret@h:port\"\n", &output), 0);
  EXPECT_NE(output.find("not a valid AMQP URL"), std::string::npos) << output;
  EXPECT_EQ(output.find("secret"), std::string::npos) << output;
  EXPECT_NE(check_connector("    url: \"nats://h:4222\"\n", &output), 0);
  EXPECT_NE(output.find("must start with amqp:// or amqps://"), std::string::npos) << output;
}

TEST(RabbitCheck, QueueArgumentOfTheWrongType_Named) {
  std::string output;
  EXPECT_NE(
      check_connector("    queues: [{name: q, arguments: {x-max-priority: high}}]\n", &output), 0);
  EXPECT_NE(output.find("queues[0].arguments': 'x-max-priority' must be an integer"),
            std::string::npos)
      << output;
  EXPECT_NE(check_connector("    queues: [{name: q, max_priority: ten}]\n", &output), 0);
  EXPECT_NE(output.find("queues[0]: setting 'max_priority' must be an integer"), std::string::npos)
      << output;
}

TEST(RabbitCheck, BindingToAnUndeclaredExchange_Named) {
  std::string output;
  EXPECT_NE(check_connector("    bindings: [{queue: q, exchange: nowhere}]\n", &output), 0);
  EXPECT_NE(output.find("exchange 'nowhere' is not in 'exchanges'"), std::string::npos) << output;
}

TEST(RabbitCheck, RoutePatternInAnotherSyntax_Refused) {
  TempDir dir;
  std::string path = dir.file("sluice.yaml");
  write_file(path, config_header("node-check") +
                       "connectors:\n  bus:\n    plugin: rabbitmq\n    consume: [q]\n"
                       "  sink:\n    plugin: \"null\"\nroutes:\n  - from: \"bus:orders.>\"\n"
                       "    to: sink\n");
  std::string output;
  EXPECT_NE(run_sluice({"check", "-c", path}, &output), 0) << output;
}

}  // namespace
}  // namespace sluice::test::rabbitmq
