#include "config/host_address.hpp"

#include <gtest/gtest.h>

namespace sluice::config {
namespace {

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
