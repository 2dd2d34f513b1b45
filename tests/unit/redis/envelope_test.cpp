// The request/reply envelope: JSON payloads travel as JSON, anything else
// as a string, and both come back as the same bytes; bad envelopes are named.
#include <gtest/gtest.h>

#include "request_envelope.hpp"

namespace sluice::redis {
namespace {

TEST(RedisEnvelope, JsonPayloadRoundTripsAsJson) {
  std::string text = make_envelope({"7", "rep", R"({"a":1})", {{"h", "v"}}});
  EXPECT_EQ(text, R"({"id":"7","reply_to":"rep","payload":{"a":1},"headers":{"h":"v"}})");
  std::string error;
  auto e = parse_envelope(text, true, error);
  ASSERT_TRUE(e) << error;
  EXPECT_EQ(e->id, "7");
  EXPECT_EQ(e->reply_to, "rep");
  EXPECT_EQ(e->payload, R"({"a":1})");
  ASSERT_EQ(e->headers.size(), 1u);
  EXPECT_EQ(e->headers[0].second, "v");
}

TEST(RedisEnvelope, TextPayloadTravelsAsAString) {
  std::string text = make_envelope({"1", "", "plain text", {}});
  EXPECT_EQ(text, R"({"id":"1","payload":"plain text"})");  // a reply: no reply_to
  std::string error;
  auto e = parse_envelope(text, false, error);
  ASSERT_TRUE(e) << error;
  EXPECT_EQ(e->payload, "plain text");
}

TEST(RedisEnvelope, MistakesAreNamed) {
  std::string error;
  EXPECT_FALSE(parse_envelope("nope", true, error));
  EXPECT_EQ(error, "not a JSON object");
  EXPECT_FALSE(parse_envelope(R"({"reply_to":"r"})", true, error));
  EXPECT_EQ(error, "no string 'id'");
  EXPECT_FALSE(parse_envelope(R"({"id":"1"})", true, error));
  EXPECT_EQ(error, "no string 'reply_to'");
  EXPECT_FALSE(parse_envelope(R"({"id":"1","reply_to":"r","headers":[1]})", true, error));
  EXPECT_EQ(error, "'headers' is not an object");
  EXPECT_TRUE(parse_envelope(R"({"id":"1"})", false, error));  // a reply needs no reply_to
}

}  // namespace
}  // namespace sluice::redis
