// The RabbitMQ settings: what `sluice check` accepts and refuses (without
// connecting), and how the nested topology lists are read.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "rabbitmq_settings.hpp"

namespace sluice::rabbitmq {
namespace {

// Every problem validate() finds in `json`, as the plugin reports them.
std::vector<std::string> problems(const std::string& json) {
  auto errors = settings_spec().validate(json);
  if (errors.empty()) validate_settings(settings_spec().parse(json), errors);
  return errors;
}

std::string joined(const std::vector<std::string>& errors) {
  std::string out;
  for (const auto& e : errors) out += e + "\n";
  return out;
}

bool mentions(const std::vector<std::string>& errors, const std::string& text) {
  for (const auto& e : errors)
    if (e.find(text) != std::string::npos) return true;
  return false;
}

TEST(RabbitSettings, DefaultsAreValid) { EXPECT_TRUE(problems("{}").empty()); }

TEST(RabbitSettings, FullTopologyIsValidAndRead) {
  std::string json = R"({
    "url": ["amqp://u:p@h1:5672/v", "amqps://h2"],
    "exchanges": [{"name": "tasks", "type": "topic"}, {"name": "dlx", "type": "fanout"}],
    "queues": [{"name": "work-${node_id}", "max_priority": 10, "dead_letter_exchange": "dlx",
                "message_ttl_ms": 60000, "arguments": {"x-overflow": "reject-publish"}},
               {"name": "dead", "type": "quorum"}],
    "bindings": [{"queue": "work-${node_id}", "exchange": "tasks", "routing_key": "t.${node_id}.#"},
                 {"queue": "dead", "exchange": "dlx"}],
    "consume": ["work-${node_id}"], "prefetch": 10, "ack_mode": "manual", "nack": "dead_letter"
  })";
  ASSERT_TRUE(problems(json).empty()) << joined(problems(json));
  RabbitSettings s = settings_spec().parse(json).resolved("n1");
  ASSERT_EQ(s.queues.size(), 2u);
  EXPECT_EQ(s.queues[0].name, "work-n1");
  EXPECT_EQ(s.bindings[0].queue, "work-n1");
  EXPECT_EQ(s.bindings[0].routing_key, "t.n1.#");
  EXPECT_EQ(s.consume, std::vector<std::string>{"work-n1"});
  EXPECT_TRUE(s.tls.enabled);  // from amqps://
  EXPECT_EQ(s.nack, NackAction::kDeadLetter);
  auto args = s.queues[0].all_arguments();
  EXPECT_EQ(args.at("x-max-priority").as_int64(), 10);
  EXPECT_EQ(args.at("x-dead-letter-exchange").as_string(), "dlx");
  EXPECT_EQ(args.at("x-message-ttl").as_int64(), 60000);
  EXPECT_EQ(args.at("x-overflow").as_string(), "reject-publish");
  EXPECT_FALSE(args.contains("x-queue-type"));  // classic: declared without it
  EXPECT_EQ(s.queues[1].all_arguments().at("x-queue-type").as_string(), "quorum");
}

TEST(RabbitSettings, UnknownKeySuggestsTheRightOne) {
  auto errors = problems(R"({"prefetsh": 10})");
  EXPECT_TRUE(mentions(errors, "unknown setting 'prefetsh'; did you mean 'prefetch'?"))
      << joined(errors);
}

TEST(RabbitSettings, BadUrlIsReported) {
  EXPECT_TRUE(mentions(problems(R"({"url": "http://h"})"), "must start with amqp://"));
  EXPECT_TRUE(mentions(problems(R"({"url": "amqp://h:notaport"})"), "not a valid AMQP URL"));
  EXPECT_TRUE(mentions(problems(R"({"url": []})"), "at least one server"));
}

TEST(RabbitSettings, NestedItemErrorsNameTheirPlace) {
  auto errors = problems(R"({"queues": [{"name": "a"}, {"nmae": "b"}]})");
  EXPECT_TRUE(mentions(errors, "queues[1]: unknown setting 'nmae'; did you mean 'name'?"))
      << joined(errors);
  EXPECT_TRUE(mentions(errors, "queues[1]: missing required setting 'name'")) << joined(errors);
  errors = problems(R"({"exchanges": [{"name": "x", "type": "topics"}]})");
  EXPECT_TRUE(mentions(errors, "exchanges[0]: setting 'type' is 'topics', expected one of"))
      << joined(errors);
  EXPECT_TRUE(mentions(problems(R"({"queues": {"name": "a"}})"), "must be a list of mappings"));
  EXPECT_TRUE(mentions(problems(R"({"queues": ["a"]})"), "'queues[0]' must be a mapping"));
}

TEST(RabbitSettings, QueueArgumentOfTheWrongTypeIsRefused) {
  auto errors = problems(R"({"queues": [{"name": "a", "arguments": {"x-max-priority": "high"}}]})");
  EXPECT_TRUE(mentions(errors, "queues[0].arguments': 'x-max-priority' must be an integer"))
      << joined(errors);
  errors = problems(R"({"queues": [{"name": "a", "max_priority": "high"}]})");
  EXPECT_TRUE(mentions(errors, "queues[0]: setting 'max_priority' must be an integer"))
      << joined(errors);
  errors = problems(R"({"queues": [{"name": "a", "max_priority": 300}]})");
  EXPECT_TRUE(mentions(errors, "must be <= 255")) << joined(errors);
  errors = problems(R"({"queues": [{"name": "a", "arguments": {"x-dead-letter-exchange": 5}}]})");
  EXPECT_TRUE(mentions(errors, "'x-dead-letter-exchange' must be a string")) << joined(errors);
}

TEST(RabbitSettings, ReferencesAreChecked) {
  auto errors = problems(R"({"bindings": [{"queue": "q", "exchange": "nowhere"}]})");
  EXPECT_TRUE(mentions(errors, "exchange 'nowhere' is not in 'exchanges'")) << joined(errors);
  EXPECT_TRUE(problems(R"({"bindings": [{"queue": "q", "exchange": "amq.topic"}]})").empty());
  errors = problems(R"({"queues": [{"name": "q", "type": "quorum", "durable": false}]})");
  EXPECT_TRUE(mentions(errors, "a quorum queue must be durable")) << joined(errors);
  errors = problems(R"({"exchanges": [{"name": "amq.mine"}]})");
  EXPECT_TRUE(mentions(errors, "reserved amq. prefix")) << joined(errors);
}

TEST(RabbitSettings, TlsFilesMustExistAndGoTogether) {
  auto errors = problems(R"({"tls": {"ca": "/nonexistent/ca.pem", "cert": "/etc/hostname"}})");
  EXPECT_TRUE(mentions(errors, "setting 'tls.ca': file '/nonexistent/ca.pem' does not exist"))
      << joined(errors);
  EXPECT_TRUE(mentions(errors, "'tls.cert' and 'tls.key' go together")) << joined(errors);
  EXPECT_TRUE(mentions(problems(R"({"tls": {"verfy": false}})"), "did you mean 'verify'"));
}

TEST(RabbitSettings, PasswordIsNeverEchoed) {
  auto errors = problems(R"({"password": 12345})");
  EXPECT_TRUE(mentions(errors, "setting 'password' must be a string"));
  EXPECT_FALSE(mentions(errors, "12345"));
}

TEST(RabbitSettings, ArgumentProblemKnowsTheWellKnownArguments) {
  EXPECT_FALSE(argument_problem("x-message-ttl", boost::json::value(5)));
  EXPECT_TRUE(argument_problem("x-message-ttl", boost::json::value(-5)));
  EXPECT_TRUE(argument_problem("x-message-ttl", boost::json::value(1.5)));
  EXPECT_TRUE(argument_problem("x-single-active-consumer", boost::json::value("yes")));
  EXPECT_FALSE(argument_problem("x-custom", boost::json::value("anything")));
}

TEST(RabbitSettings, NodeIdExpandsEverywhere) {
  EXPECT_EQ(expand_node_id("a.${node_id}.b.${node_id}", "n"), "a.n.b.n");
  EXPECT_EQ(expand_node_id("plain", "n"), "plain");
}

}  // namespace
}  // namespace sluice::rabbitmq
