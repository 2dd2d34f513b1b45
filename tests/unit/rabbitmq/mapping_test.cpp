// AMQP properties and header tables <-> sluice message headers, and the
// JSON <-> field table conversion behind queue arguments.
#include <gtest/gtest.h>

#include <map>

#include "amqp_table.hpp"
#include "io_loop.hpp"
#include "message_mapping.hpp"

namespace sluice::rabbitmq {
namespace {

std::map<std::string, std::string> as_map(const HeaderList& list) {
  return {list.begin(), list.end()};
}

TEST(MessageMapping, HeadersBecomePropertiesAndTableEntries) {
  HeaderList headers = {{"content_type", "application/json"},
                        {"correlation_id", "c-1"},
                        {"priority", "7"},
                        {"message_id", "m-1"},
                        {"tenant", "acme"},
                        {"redelivered", "true"}};
  OutgoingProperties out(headers, {true, "sluice-node", "n1"});
  ASSERT_EQ(out.problem(), "");
  const amqp_basic_properties_t& p = out.properties();
  EXPECT_EQ(to_view(p.content_type), "application/json");
  EXPECT_EQ(to_view(p.correlation_id), "c-1");
  EXPECT_EQ(to_view(p.message_id), "m-1");
  EXPECT_TRUE(p._flags & AMQP_BASIC_PRIORITY_FLAG);
  EXPECT_EQ(p.priority, 7);
  EXPECT_EQ(p.delivery_mode, AMQP_DELIVERY_PERSISTENT);
  ASSERT_TRUE(p._flags & AMQP_BASIC_HEADERS_FLAG);
  auto table = table_to_json(p.headers);
  EXPECT_EQ(table.at("tenant").as_string(), "acme");
  EXPECT_EQ(table.at("sluice-node").as_string(), "n1");
  EXPECT_FALSE(table.contains("redelivered"));   // a fact about the delivery, not sent on
  EXPECT_FALSE(table.contains("content_type"));  // a property, not a table entry

  // ... and back, as a consumer sees them.
  auto back = as_map(headers_from_properties(p));
  EXPECT_EQ(back["content_type"], "application/json");
  EXPECT_EQ(back["correlation_id"], "c-1");
  EXPECT_EQ(back["priority"], "7");
  EXPECT_EQ(back["delivery_mode"], "2");
  EXPECT_EQ(back["tenant"], "acme");
}

TEST(MessageMapping, DeliveryModeHeaderOverridesPersistent) {
  OutgoingProperties out({{"delivery_mode", "1"}}, {true, "", ""});
  EXPECT_EQ(out.properties().delivery_mode, AMQP_DELIVERY_NONPERSISTENT);
  OutgoingProperties transient({}, {false, "", ""});
  EXPECT_EQ(transient.properties().delivery_mode, AMQP_DELIVERY_NONPERSISTENT);
  EXPECT_FALSE(transient.properties()._flags & AMQP_BASIC_HEADERS_FLAG);
}

TEST(MessageMapping, BadPropertyValuesAreProblems) {
  EXPECT_NE(OutgoingProperties({{"priority", "high"}}, {}).problem(), "");
  EXPECT_NE(OutgoingProperties({{"priority", "256"}}, {}).problem(), "");
  EXPECT_NE(OutgoingProperties({{"delivery_mode", "3"}}, {}).problem(), "");
  EXPECT_NE(OutgoingProperties({{"timestamp", "yesterday"}}, {}).problem(), "");
}

TEST(MessageMapping, NestedTablesArriveAsJson) {
  boost::json::object json = {{"n", 5},
                              {"flag", true},
                              {"nested", boost::json::object{{"a", "b"}}},
                              {"list", boost::json::array{1, "x"}}};
  OwnedTable table(json);
  amqp_basic_properties_t p{};
  p._flags = AMQP_BASIC_HEADERS_FLAG;
  p.headers = table.table();
  auto headers = as_map(headers_from_properties(p));
  EXPECT_EQ(headers["n"], "5");
  EXPECT_EQ(headers["flag"], "true");
  EXPECT_EQ(headers["nested"], R"({"a":"b"})");
  EXPECT_EQ(headers["list"], R"([1,"x"])");
  EXPECT_EQ(table_to_json(p.headers), json);
}

TEST(MessageMapping, DeliveryCountFromQuorumHeaderOrRedeliveredFlag) {
  amqp_basic_properties_t p{};
  EXPECT_EQ(delivery_count(p, false), 1);
  EXPECT_EQ(delivery_count(p, true), 2);
  OwnedTable table(boost::json::object{{"x-delivery-count", 3}});
  p._flags = AMQP_BASIC_HEADERS_FLAG;
  p.headers = table.table();
  EXPECT_EQ(delivery_count(p, true), 4);
}

TEST(MessageMapping, ReplyHandleCarriesQueueAndCorrelationId) {
  std::string queue, correlation;
  split_reply_handle(make_reply_handle("amq.rabbitmq.reply-to.g1h", "c-42"), queue, correlation);
  EXPECT_EQ(queue, "amq.rabbitmq.reply-to.g1h");
  EXPECT_EQ(correlation, "c-42");
  split_reply_handle(make_reply_handle("replies", ""), queue, correlation);
  EXPECT_EQ(queue, "replies");
  EXPECT_EQ(correlation, "");
}

TEST(MessageMapping, AckIdsKeepTheirGeneration) {
  uint64_t id = make_ack_id(7, 123456);
  EXPECT_EQ(ack_generation(id), 7u);
  EXPECT_EQ(ack_tag(id), 123456u);
  EXPECT_NE(make_ack_id(1, 5), make_ack_id(2, 5));
}

}  // namespace
}  // namespace sluice::rabbitmq
