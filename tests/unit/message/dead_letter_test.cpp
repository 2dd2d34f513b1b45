// The one dead-letter builder: what a dead-letter output receives.
#include "message/dead_letter.hpp"

#include <gtest/gtest.h>

namespace sluice::message {
namespace {

EnvelopePtr failed_request() {
  auto m = std::make_shared<Envelope>();
  m->payload = R"({"id":7})";
  m->key = "k-7";
  m->subject = "orders.new";
  m->headers = {{"trace", "abc"}};
  m->attributes = {{"partition", "3"}};
  m->timestamp_ms = 1234;
  m->reply_to = "inbox.9";
  m->origin = "kafka";
  return m;
}

const std::string* header(const Envelope& m, const std::string& name) { return m.header(name); }

TEST(DeadLetter, DeadLetter_KeepsTheContentAndSaysWhy) {
  auto m = failed_request();
  auto dl = dead_letter_of(*m, "payload is not JSON");
  EXPECT_NE(dl.get(), m.get());
  EXPECT_EQ(dl->payload, m->payload);
  EXPECT_EQ(dl->key, m->key);
  EXPECT_EQ(dl->subject, m->subject);
  EXPECT_EQ(dl->timestamp_ms, 1234);
  ASSERT_EQ(dl->headers.size(), 2u);
  EXPECT_EQ(dl->headers[0].name, "trace");
  ASSERT_NE(header(*dl, "sluice-error"), nullptr);
  EXPECT_EQ(*header(*dl, "sluice-error"), "payload is not JSON");
  EXPECT_EQ(header(*dl, "sluice-failed-output"), nullptr);
}

TEST(DeadLetter, DeadLetter_IsNoRequestAndCarriesNoSourceFacts) {
  auto dl = dead_letter_of(*failed_request(), "boom");
  EXPECT_TRUE(dl->reply_to.empty());
  EXPECT_TRUE(dl->attributes.empty());
  EXPECT_TRUE(dl->origin.empty());
}

TEST(DeadLetter, DeadLetter_NamesTheOutputThatFailed) {
  auto dl = dead_letter_of(*failed_request(), "broker down", "rabbit");
  ASSERT_NE(header(*dl, "sluice-failed-output"), nullptr);
  EXPECT_EQ(*header(*dl, "sluice-failed-output"), "rabbit");
  EXPECT_EQ(*header(*dl, "sluice-error"), "broker down");
  EXPECT_EQ(dl->headers.back().name, "sluice-failed-output");
}

TEST(DeadLetter, CopyContent_KeepsTheOrigin) {
  auto copy = copy_content(*failed_request());
  EXPECT_EQ(copy->origin, "kafka");
  EXPECT_EQ(copy->reply_to, "inbox.9");
}

}  // namespace
}  // namespace sluice::message
