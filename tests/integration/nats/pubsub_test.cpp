// Core NATS pub/sub through `sluice run`: subjects into a file sink, a file
// source out to NATS with headers, node id subjects, reply-subject forwarding.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "fixture.hpp"

namespace sluice::test::nats {
namespace {

TEST(NatsPubSub, SubjectToFileSink_EveryMessageArrives) {
  Client client(nats_url());
  TempDir dir;
  std::string prefix = unique_prefix("pubsub");
  std::string out = dir.file("out.txt");
  auto sluice = start_with_config(dir, config_header("node-a") + R"(
connectors:
  bus:
    plugin: nats
    url: )" + nats_url() + R"(
  out:
    plugin: file
    path: )" + out + R"(
    mode: sink
    batch_bytes: 1  # write (and confirm) each message at once
routes:
  - from: bus:)" + prefix + R"(.in.>
    to: out
)");
  expect_ready(sluice);

  std::set<std::string> sent;
  for (int i = 0; i < 500; ++i) {
    std::string payload = R"({"n":)" + std::to_string(i) + "}";
    client.publish(prefix + ".in." + std::to_string(i % 7), payload);
    sent.insert(payload);
  }
  client.publish(prefix + ".other", R"({"n":-1})");  // not routed
  client.flush();

  ASSERT_TRUE(wait_until(
      [&] { return std::filesystem::exists(out) && read_lines(out).size() >= sent.size(); },
      std::chrono::seconds(20)))
      << sluice.output();
  auto lines = read_lines(out);
  std::set<std::string> got(lines.begin(), lines.end());
  EXPECT_EQ(lines.size(), sent.size());
  EXPECT_EQ(got, sent);
  EXPECT_EQ(sluice.stop(), 0) << sluice.output();
}

TEST(NatsPubSub, FileSourceToSubject_CarriesNodeIdAndConfiguredHeaders) {
  Client client(nats_url());
  TempDir dir;
  std::string prefix = unique_prefix("out");
  auto received = client.subscribe(prefix + ".>");
  std::string input;
  for (int i = 0; i < 200; ++i) input += R"({"id":)" + std::to_string(i) + "}\n";
  write_file(dir.file("in.jsonl"), input);

  auto sluice = start_with_config(dir, config_header("node-b") + R"(
connectors:
  lines:
    plugin: file
    path: )" + dir.file("in.jsonl") + R"(
    mode: source
  bus:
    plugin: nats
    url: )" + nats_url() + R"(
    headers: {X-Origin: "sluice-${node_id}"}
routes:
  - from: lines
    to: bus:)" + prefix + R"(.${node_id}
)");
  ASSERT_TRUE(received->wait_for(200, std::chrono::seconds(20))) << sluice.output();
  auto messages = received->snapshot();
  std::set<std::string> payloads;
  for (const auto& m : messages) {
    EXPECT_EQ(m.subject, prefix + ".node-b");
    EXPECT_EQ(m.headers.at("Sluice-Node"), "node-b");
    EXPECT_EQ(m.headers.at("X-Origin"), "sluice-node-b");
    payloads.insert(m.payload);
  }
  EXPECT_EQ(payloads.size(), 200u);
  EXPECT_TRUE(payloads.count(R"({"id":199})"));
  EXPECT_EQ(sluice.stop(), 0) << sluice.output();
}

TEST(NatsPubSub, NodeIdInSubjectsSetting_SubscribesToThisNodeOnly) {
  Client client(nats_url());
  TempDir dir;
  std::string prefix = unique_prefix("node");
  std::string out = dir.file("out.txt");
  auto sluice = start_with_config(dir, config_header("node-c") + R"(
connectors:
  bus:
    plugin: nats
    url: )" + nats_url() + R"(
    subjects: [")" + prefix + R"(.cmd.${node_id}"]
  out:
    plugin: file
    path: )" + out + R"(
    mode: sink
    batch_bytes: 1  # write (and confirm) each message at once
routes:
  - from: bus
    to: out
)");
  expect_ready(sluice);
  client.publish(prefix + ".cmd.node-x", "for another node");
  client.publish(prefix + ".cmd.node-c", "for me");
  client.flush();
  ASSERT_TRUE(wait_until([&] { return std::filesystem::exists(out) && !read_lines(out).empty(); },
                         std::chrono::seconds(10)))
      << sluice.output();
  // Give a wrongly routed message time to show up too.
  client.publish(prefix + ".cmd.node-c", "second");
  client.flush();
  ASSERT_TRUE(wait_until([&] { return read_lines(out).size() >= 2; }, std::chrono::seconds(10)));
  EXPECT_EQ(read_lines(out), (std::vector<std::string>{"for me", "second"}));
  EXPECT_EQ(sluice.stop(), 0) << sluice.output();
}

TEST(NatsPubSub, ForwardedRequest_KeepsItsReplySubject) {
  // A route from one subject to another keeps the requester's reply
  // subject, so a service behind sluice answers the original requester.
  Client client(nats_url());
  Client service(nats_url());
  TempDir dir;
  std::string prefix = unique_prefix("fwd");
  auto sluice = start_with_config(dir, config_header("node-d") + R"(
connectors:
  bus:
    plugin: nats
    url: )" + nats_url() + R"(
routes:
  - from: bus:)" + prefix + R"(.front
    to: bus:)" + prefix + R"(.back
)");
  expect_ready(sluice);
  // The service answers every request on .back with "pong:<payload>".
  natsSubscription* sub = nullptr;
  ASSERT_EQ(natsConnection_Subscribe(
                &sub, service.get(), (prefix + ".back").c_str(),
                [](natsConnection* nc, natsSubscription*, natsMsg* msg, void*) {
                  std::string answer =
                      "pong:" + std::string(natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
                  natsConnection_Publish(nc, natsMsg_GetReply(msg), answer.data(),
                                         static_cast<int>(answer.size()));
                  natsMsg_Destroy(msg);
                },
                nullptr),
            NATS_OK);
  service.flush();
  auto reply = client.request(prefix + ".front", "ping", std::chrono::seconds(5));
  ASSERT_TRUE(reply.has_value()) << sluice.output();
  EXPECT_EQ(reply->payload, "pong:ping");
  natsSubscription_Unsubscribe(sub);
  natsSubscription_Destroy(sub);
  EXPECT_EQ(sluice.stop(), 0) << sluice.output();
}

}  // namespace
}  // namespace sluice::test::nats
