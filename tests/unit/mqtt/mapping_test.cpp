// MQTT <-> sluice message mapping: headers from QoS/retain/dup and v5
// properties, properties from headers, and the reply handle of a request.
#include <gtest/gtest.h>

#include "message_mapping.hpp"
#include "offline_buffer.hpp"

namespace sluice::mqtt {
namespace {

using Headers = std::vector<std::pair<std::string_view, std::string_view>>;

// paho's allocator tracks its heap only once a client exists (as in the
// plugin): without one, MQTTProperties_free cannot find what _add took.
class PahoHeap : public ::testing::Environment {
 public:
  void SetUp() override {
    MQTTAsync_create(&client_, "tcp://127.0.0.1:1", "unit", MQTTCLIENT_PERSISTENCE_NONE, nullptr);
  }
  void TearDown() override { MQTTAsync_destroy(&client_); }

 private:
  MQTTAsync client_ = nullptr;
};
const auto* const kPahoHeap = ::testing::AddGlobalTestEnvironment(new PahoHeap);

std::string header(const Headers& h, std::string_view name) {
  for (const auto& [n, v] : h)
    if (n == name) return std::string(v);
  return "<none>";
}

TEST(MqttMapping, IncomingHeadersCarryQosRetainDupAndProperties) {
  MQTTAsync_message m = MQTTAsync_message_initializer;
  m.qos = 2;
  m.retained = 1;
  Properties props;
  props.add_pair("trace", "abc");
  props.add_string(MQTTPROPERTY_CODE_CONTENT_TYPE, "application/json");
  props.add_string(MQTTPROPERTY_CODE_RESPONSE_TOPIC, "replies/x");
  props.add_string(MQTTPROPERTY_CODE_CORRELATION_DATA, std::string_view("\x01\x00z", 3));
  props.add_int(MQTTPROPERTY_CODE_MESSAGE_EXPIRY_INTERVAL, 60);
  m.properties = *props.get();
  std::string scratch;
  Headers h;
  incoming_headers(m, scratch, h);
  EXPECT_EQ(header(h, "mqtt-qos"), "2");
  EXPECT_EQ(header(h, "mqtt-retain"), "true");
  EXPECT_EQ(header(h, "mqtt-dup"), "<none>");
  EXPECT_EQ(header(h, "trace"), "abc");
  EXPECT_EQ(header(h, "content-type"), "application/json");
  EXPECT_EQ(header(h, "mqtt-response-topic"), "replies/x");
  EXPECT_EQ(header(h, "mqtt-correlation-data"), std::string("\x01\x00z", 3));
  EXPECT_EQ(header(h, "mqtt-message-expiry"), "60");
}

struct Msg {
  std::vector<sluice_header> headers;
  sluice_message m{};
  explicit Msg(const std::vector<std::pair<std::string_view, std::string_view>>& hs) {
    for (const auto& [n, v] : hs) headers.push_back({to_bytes(n), to_bytes(v)});
    m.struct_size = sizeof m;
    m.headers = headers.data();
    m.header_count = headers.size();
  }
};

TEST(MqttMapping, OutgoingOverridesAndProperties) {
  Msg msg({{"mqtt-qos", "0"},
           {"mqtt-retain", "true"},
           {"content-type", "text/plain"},
           {"x-user", "1"},
           {"mqtt-message-expiry", "30"},
           {"mqtt-dup", "true"}});
  Outgoing out;
  out.qos = 1;
  EXPECT_EQ(outgoing_from(MessageView(&msg.m), true, out), "");
  EXPECT_EQ(out.qos, 0);
  EXPECT_TRUE(out.retain);
  EXPECT_EQ(out.properties.count(), 3);  // content type, user property, expiry
  EXPECT_EQ(string_property(*out.properties.get(), MQTTPROPERTY_CODE_CONTENT_TYPE).value(),
            "text/plain");
  Outgoing v3;
  EXPECT_EQ(outgoing_from(MessageView(&msg.m), false, v3), "");
  EXPECT_EQ(v3.properties.count(), 0);  // 3.1.1 has no properties
}

TEST(MqttMapping, OutgoingRefusesBadHeaderValues) {
  Msg qos(Headers{{"mqtt-qos", "3"}});
  Outgoing out;
  EXPECT_NE(outgoing_from(MessageView(&qos.m), true, out).find("use 0, 1 or 2"), std::string::npos);
  Msg retain(Headers{{"mqtt-retain", "yes"}});
  EXPECT_NE(outgoing_from(MessageView(&retain.m), true, out).find("mqtt-retain"),
            std::string::npos);
  Msg expiry(Headers{{"mqtt-message-expiry", "soon"}});
  EXPECT_NE(outgoing_from(MessageView(&expiry.m), true, out).find("seconds"), std::string::npos);
}

TEST(MqttMapping, ReplyHandleRoundTripsBinaryCorrelation) {
  std::string corr("a:b\0c", 5);
  std::string handle = encode_reply_to("replies/7:x", corr);
  std::string topic, back;
  ASSERT_TRUE(decode_reply_to(handle, topic, back));
  EXPECT_EQ(topic, "replies/7:x");
  EXPECT_EQ(back, corr);
  EXPECT_FALSE(decode_reply_to("garbage", topic, back));
  EXPECT_FALSE(decode_reply_to("99:short", topic, back));
}

PendingPublish pending(const std::string& topic) {
  PendingPublish p;
  p.message.topic = topic;
  p.deadline = PendingPublish::Clock::now() + std::chrono::seconds(10);
  return p;
}

TEST(MqttOfflineBuffer, DropsOldestWhenFull) {
  OfflineBuffer buffer(2, BufferOverflow::kDropOldest);
  std::optional<PendingPublish> dropped;
  for (const char* t : {"a", "b"}) {
    auto p = pending(t);
    EXPECT_EQ(buffer.add(p, dropped), OfflineBuffer::Added::kAdded);
  }
  auto c = pending("c");
  EXPECT_EQ(buffer.add(c, dropped), OfflineBuffer::Added::kAddedDroppingOldest);
  ASSERT_TRUE(dropped);
  EXPECT_EQ(dropped->message.topic, "a");
  EXPECT_EQ(buffer.take()->message.topic, "b");
  EXPECT_EQ(buffer.take()->message.topic, "c");
  EXPECT_FALSE(buffer.take());
}

TEST(MqttOfflineBuffer, RejectPolicyRefusesTheNewOne) {
  OfflineBuffer buffer(1, BufferOverflow::kReject);
  std::optional<PendingPublish> dropped;
  auto a = pending("a");
  auto b = pending("b");
  EXPECT_EQ(buffer.add(a, dropped), OfflineBuffer::Added::kAdded);
  EXPECT_EQ(buffer.add(b, dropped), OfflineBuffer::Added::kRefused);
  EXPECT_EQ(b.message.topic, "b");  // untouched: the caller still owns it
  EXPECT_FALSE(dropped);
  OfflineBuffer none(0, BufferOverflow::kDropOldest);
  EXPECT_EQ(none.add(b, dropped), OfflineBuffer::Added::kRefused);
}

TEST(MqttOfflineBuffer, ExpiresByDeadline) {
  OfflineBuffer buffer(5, BufferOverflow::kDropOldest);
  std::optional<PendingPublish> dropped;
  auto old = pending("old");
  old.deadline = PendingPublish::Clock::now() - std::chrono::seconds(1);
  auto fresh = pending("fresh");
  buffer.add(old, dropped);
  buffer.add(fresh, dropped);
  auto expired = buffer.take_expired(PendingPublish::Clock::now());
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].message.topic, "old");
  EXPECT_EQ(buffer.size(), 1u);
}

}  // namespace
}  // namespace sluice::mqtt
