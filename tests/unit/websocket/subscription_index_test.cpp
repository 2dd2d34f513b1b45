// Unit tests of subject filters, scalar texts, JSON paths and the subscription index.
#include "subscription_index.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <sluice/common/json_text.hpp>

#include "hub.hpp"
#include "subject_filter.hpp"

namespace sluice::websocket {
namespace {

TEST(SubjectFilter, MatchesTokensAndWildcards) {
  EXPECT_TRUE(SubjectFilter("").matches("anything.at.all"));
  EXPECT_TRUE(SubjectFilter(">").matches("a.b"));
  EXPECT_TRUE(SubjectFilter("tracking.data").matches("tracking.data"));
  EXPECT_FALSE(SubjectFilter("tracking.data").matches("tracking.data.x"));
  EXPECT_FALSE(SubjectFilter("tracking.data").matches("tracking"));
  EXPECT_TRUE(SubjectFilter("tracking.*").matches("tracking.data"));
  EXPECT_FALSE(SubjectFilter("tracking.*").matches("tracking.data.more"));
  EXPECT_FALSE(SubjectFilter("tracking.*").matches("tracking"));
  EXPECT_TRUE(SubjectFilter("tracking.>").matches("tracking.a.b.c"));
  EXPECT_FALSE(SubjectFilter("tracking.>").matches("tracking"));
  EXPECT_TRUE(SubjectFilter("sensors/+/temp").matches("sensors/7/temp"));
  EXPECT_TRUE(SubjectFilter("sensors/#").matches("sensors/7/temp"));
  EXPECT_FALSE(SubjectFilter("a.*.c").matches("a.b.d"));
  EXPECT_THROW(SubjectFilter("a.>.c"), std::invalid_argument);
}

TEST(JsonPath, FindsNestedFieldsAndArrayItems) {
  auto doc = boost::json::parse(
      R"({"data":{"DEVICE_ID":"0848086001","SPEED":12.5,"on":true},"items":[{"id":7}]})");
  EXPECT_EQ(common::scalar_text(*JsonPath("data.DEVICE_ID").find(doc)), "0848086001");
  EXPECT_EQ(common::scalar_text(*JsonPath("data.SPEED").find(doc)), "12.5");
  EXPECT_EQ(common::scalar_text(*JsonPath("data.on").find(doc)), "true");
  EXPECT_EQ(common::scalar_text(*JsonPath("items[0].id").find(doc)), "7");
  EXPECT_EQ(JsonPath("items[3].id").find(doc), nullptr);
  EXPECT_EQ(JsonPath("data.missing").find(doc), nullptr);
  EXPECT_FALSE(common::scalar_text(*JsonPath("data").find(doc)).has_value());
  EXPECT_THROW(JsonPath("a..b"), std::invalid_argument);
  EXPECT_THROW(JsonPath("a[x]"), std::invalid_argument);
}

// Index fields: 0 = device, 1 = tenant.
struct IndexFixture : ::testing::Test {
  SubscriptionIndex index{2};
  std::vector<std::unique_ptr<Subscription>> subs;

  Subscription* add(std::vector<FieldCondition> fields, std::string subject = "") {
    auto sub = std::make_unique<Subscription>();
    sub->id = "s" + std::to_string(subs.size());
    sub->filter.fields = std::move(fields);
    sub->filter.subject = SubjectFilter(subject);
    index.add(sub.get());
    subs.push_back(std::move(sub));
    return subs.back().get();
  }
  static EventFields event(std::optional<std::string> device, std::optional<std::string> tenant,
                           std::string_view subject = "tracking.data") {
    return EventFields{subject, {std::move(device), std::move(tenant)}};
  }
  std::vector<Subscription*> match(const EventFields& e) {
    std::vector<Subscription*> out;
    index.match(e, [&](Subscription* s) { out.push_back(s); });
    std::sort(out.begin(), out.end());
    return out;
  }
};

TEST_F(IndexFixture, MatchesBySetMembershipOnEveryField) {
  auto* ab = add({{0, ValueSet({"a", "b"})}});
  auto* b_acme = add({{0, ValueSet({"b"})}, {1, ValueSet({"acme"})}});
  auto* acme = add({{1, ValueSet({"acme"})}});
  EXPECT_EQ(match(event("a", "acme")),
            (std::vector<Subscription*>{std::min(ab, acme), std::max(ab, acme)}));
  auto both = match(event("b", "acme"));
  EXPECT_EQ(both.size(), 3u);
  EXPECT_EQ(match(event("b", "other")), std::vector<Subscription*>{ab});
  EXPECT_TRUE(match(event("c", std::nullopt)).empty());
  EXPECT_TRUE(match(event(std::nullopt, std::nullopt)).empty());
  (void)b_acme;
}

TEST_F(IndexFixture, UnanchoredSubscriptionsFilterBySubjectOnly) {
  auto* all = add({});
  auto* alarms = add({}, "alarms.>");
  EXPECT_EQ(match(event("x", "y", "tracking.data")), std::vector<Subscription*>{all});
  auto both = match(event("x", "y", "alarms.fire"));
  EXPECT_EQ(both.size(), 2u);
  EXPECT_EQ(index.unanchored(), 2u);
  (void)alarms;
}

TEST_F(IndexFixture, RemovedSubscriptionsNoLongerMatch) {
  auto* a = add({{0, ValueSet({"a", "b"})}});
  auto* a2 = add({{0, ValueSet({"a"})}});
  index.remove(a);
  EXPECT_EQ(match(event("a", "t")), std::vector<Subscription*>{a2});
  EXPECT_TRUE(match(event("b", "t")).empty());
  index.remove(a2);
  EXPECT_TRUE(match(event("a", "t")).empty());
  EXPECT_EQ(index.size(), 0u);
}

TEST_F(IndexFixture, CostGrowsWithMatchesNotWithSubscriptions) {
  // 10,000 subscriptions on distinct devices, all of one tenant: an event
  // for one device checks that device's subscription only, because each is
  // filed under its device (a small bucket), not under the crowded tenant.
  for (int i = 0; i < 10000; ++i)
    add({{1, ValueSet({"acme"})}, {0, ValueSet({"dev" + std::to_string(i)})}});
  auto e = event("dev42", "acme");
  EXPECT_LE(index.candidates(e), 2u);
  EXPECT_EQ(match(e).size(), 1u);
  EXPECT_EQ(index.unanchored(), 0u);
  // 500 more on one device: matching it costs those, the others still 1-2.
  for (int i = 0; i < 500; ++i) add({{1, ValueSet({"acme"})}, {0, ValueSet({"hot"})}});
  EXPECT_LE(index.candidates(event("hot", "acme")), 502u);
  EXPECT_EQ(match(event("hot", "acme")).size(), 500u);
  EXPECT_LE(index.candidates(e), 2u);
}

}  // namespace
}  // namespace sluice::websocket
