// The test support library's HTTP client against a real server (python3 -m http.server).
#include "gtest/gtest.h"
#include "support/sluice_test.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

TEST(HttpClient, GetsAFileFromARealServer) {
  TempDir root;
  write_file(root.path() / "hello.txt", "hello from disk");
  std::uint16_t port = free_tcp_port();
  Process server({"python3", "-m", "http.server", std::to_string(port), "--bind", "127.0.0.1",
                  "--directory", root.path().string()});
  ASSERT_TRUE(wait_until([&] { return tcp_port_open("127.0.0.1", port); }, 15s)) << server.output();

  HttpResponse ok = http_get("127.0.0.1", port, "/hello.txt");
  EXPECT_EQ(ok.status, 200) << ok.error;
  EXPECT_EQ(ok.body, "hello from disk");
  EXPECT_EQ(ok.headers.at("content-length"), "15");

  HttpResponse missing = http_request("127.0.0.1", port, "GET", "/nope", "", {{"X-Test", "1"}});
  EXPECT_EQ(missing.status, 404);
}

TEST(HttpClient, ReportsARefusedConnectionWithoutThrowing) {
  HttpResponse r = http_get("127.0.0.1", free_tcp_port(), "/healthz", 2s);
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.error.find("connect"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace sluice::test
