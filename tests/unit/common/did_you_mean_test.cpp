#include <gtest/gtest.h>

#include <sluice/common/did_you_mean.hpp>

namespace sluice::common {
namespace {

const std::vector<std::string_view> kKeys = {
    "workers", "queue_capacity", "statsd_interval_ms", "max_in_flight", "node_id", "to"};

TEST(DidYouMean, SuggestsTheClosestKeyForATypo) {
  EXPECT_EQ(closest_match("worker", kKeys), "workers");
  EXPECT_EQ(closest_match("wokrers", kKeys), "workers");
  EXPECT_EQ(closest_match("queue_capcity", kKeys), "queue_capacity");
  EXPECT_EQ(closest_match("statsd_interval", kKeys), "statsd_interval_ms");
}

TEST(DidYouMean, IgnoresCaseAndSeparators) {
  EXPECT_EQ(closest_match("max-in-flight", kKeys), "max_in_flight");
  EXPECT_EQ(closest_match("nodeId", kKeys), "node_id");
}

TEST(DidYouMean, StaysQuietForUnrelatedWords) {
  EXPECT_EQ(closest_match("colour", kKeys), std::nullopt);
  EXPECT_EQ(closest_match("xy", kKeys), std::nullopt);
  EXPECT_EQ(closest_match("", kKeys), std::nullopt);
  EXPECT_EQ(did_you_mean("banana", kKeys), "");
}

TEST(EditDistance, CountsEditsAndAdjacentSwapsAsOne) {
  EXPECT_EQ(edit_distance("workers", "workers"), 0u);
  EXPECT_EQ(edit_distance("wokrers", "workers"), 1u);  // a swap
  EXPECT_EQ(edit_distance("worker", "workers"), 1u);
  EXPECT_EQ(edit_distance("port", "host"), 2u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
}

}  // namespace
}  // namespace sluice::common
