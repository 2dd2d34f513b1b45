#include "config/did_you_mean.hpp"

#include <gtest/gtest.h>

#include "config/host_address.hpp"

namespace sluice::config {
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

TEST(HostAddress, AcceptsHostPortForms) {
  for (const char* ok : {"127.0.0.1:9600", "localhost:0", "[::1]:9600", "[fe80::1%eth0]:80",
                         "my-host.example.com:65535", "0.0.0.0:1"}) {
    EXPECT_EQ(host_port_problem(ok), std::nullopt) << ok;
  }
}

TEST(HostAddress, RejectsMalformedAddresses) {
  for (const char* bad : {"localhost", ":9600", "host:", "host:65536", "host:http", "::1:9600",
                          "[::1:9600", "bad host:80", "h:0123456"}) {
    EXPECT_NE(host_port_problem(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace sluice::config
