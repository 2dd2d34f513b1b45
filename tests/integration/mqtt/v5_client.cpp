// The tests' MQTT 5 client (see v5_client.hpp).
#include "v5_client.hpp"

#include <gtest/gtest.h>

namespace sluice::test::mqtt {

V5Client::V5Client(const HostPort& broker, const std::string& client_id) {
  MQTTClient_createOptions create = MQTTClient_createOptions_initializer;
  create.MQTTVersion = MQTTVERSION_5;
  std::string url = "tcp://" + broker.host + ":" + std::to_string(broker.port);
  if (MQTTClient_createWithOptions(&client_, url.c_str(), client_id.c_str(),
                                   MQTTCLIENT_PERSISTENCE_NONE, nullptr,
                                   &create) != MQTTCLIENT_SUCCESS) {
    ADD_FAILURE() << "cannot create the test MQTT client";
    return;
  }
  MQTTClient_connectOptions options = MQTTClient_connectOptions_initializer5;
  options.cleanstart = 1;
  MQTTResponse r = MQTTClient_connect5(client_, &options, nullptr, nullptr);
  connected_ = r.reasonCode == MQTTREASONCODE_SUCCESS;
  MQTTResponse_free(r);
  EXPECT_TRUE(connected_) << "the test MQTT client did not connect to " << url;
}

V5Client::~V5Client() {
  if (connected_) MQTTClient_disconnect5(client_, 1000, MQTTREASONCODE_SUCCESS, nullptr);
  if (client_) MQTTClient_destroy(&client_);
}

void V5Client::subscribe(const std::string& filter, int qos) {
  MQTTResponse r = MQTTClient_subscribe5(client_, filter.c_str(), qos, nullptr, nullptr);
  EXPECT_LT(static_cast<int>(r.reasonCode), 0x80) << "subscribe " << filter;
  MQTTResponse_free(r);
}

void V5Client::publish(const std::string& topic, const std::string& payload, int qos,
                       const std::string& response_topic, const std::string& correlation) {
  MQTTProperties props = MQTTProperties_initializer;
  auto add = [&](MQTTPropertyCodes code, const std::string& value) {
    MQTTProperty p{};
    p.identifier = code;
    p.value.data.data = const_cast<char*>(value.data());
    p.value.data.len = static_cast<int>(value.size());
    MQTTProperties_add(&props, &p);
  };
  if (!response_topic.empty()) add(MQTTPROPERTY_CODE_RESPONSE_TOPIC, response_topic);
  if (!correlation.empty()) add(MQTTPROPERTY_CODE_CORRELATION_DATA, correlation);
  MQTTClient_message m = MQTTClient_message_initializer;
  m.payload = const_cast<char*>(payload.data());
  m.payloadlen = static_cast<int>(payload.size());
  m.qos = qos;
  m.properties = props;
  MQTTClient_deliveryToken token = 0;
  MQTTResponse r = MQTTClient_publishMessage5(client_, topic.c_str(), &m, &token);
  EXPECT_LT(static_cast<int>(r.reasonCode), 0x80) << "publish " << topic;
  MQTTResponse_free(r);
  MQTTProperties_free(&props);
  if (qos > 0) MQTTClient_waitForCompletion(client_, token, 10000);
}

std::optional<V5Message> V5Client::receive(std::chrono::milliseconds timeout) {
  char* topic = nullptr;
  int topic_len = 0;
  MQTTClient_message* m = nullptr;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!m && std::chrono::steady_clock::now() < deadline)
    if (MQTTClient_receive(client_, &topic, &topic_len, &m, 100) != MQTTCLIENT_SUCCESS) break;
  if (!m) return std::nullopt;
  V5Message out;
  out.topic = topic_len > 0 ? std::string(topic, topic_len) : std::string(topic);
  out.payload.assign(static_cast<const char*>(m->payload), m->payloadlen);
  for (int i = 0; i < m->properties.count; ++i) {
    const MQTTProperty& p = m->properties.array[i];
    std::string value(p.value.data.data, p.value.data.len);
    if (p.identifier == MQTTPROPERTY_CODE_CORRELATION_DATA) out.correlation = value;
    if (p.identifier == MQTTPROPERTY_CODE_RESPONSE_TOPIC) out.response_topic = value;
  }
  MQTTClient_freeMessage(&m);
  MQTTClient_free(topic);
  return out;
}

}  // namespace sluice::test::mqtt
