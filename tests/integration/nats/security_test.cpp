// Authentication and TLS against private nats-servers: the settings reach
// cnats, a good configuration connects, a wrong one stays unhealthy and
// says why (without showing the secret).
#include <gtest/gtest.h>

#include "fixture.hpp"
#include "plugin_harness.hpp"

namespace sluice::test::nats {
namespace {

using std::chrono::seconds;

std::string settings(const std::string& url, const std::string& extra) {
  return R"({"url":")" + url + R"(","reconnect_wait_ms":50,"reconnect_wait_max_ms":200,)" + extra +
         "}";
}

// Healthy within a few seconds, and a request round trip works.
void expect_working(PluginHarness& h) {
  ASSERT_EQ(h.start(), "");
  std::string message;
  ASSERT_TRUE(wait_until([&] { return h.healthy(&message); }, seconds(10))) << message << "\n"
                                                                            << h.log_text();
  int id = 0;
  ASSERT_EQ(h.request("nobody.listens", "x", 3000, &id), SLUICE_OK);
  ASSERT_TRUE(h.wait_completed(id, seconds(5)));
  EXPECT_NE(h.completed(id)->error.find("no responders"), std::string::npos);
}

// Stays unhealthy; returns the health message.
std::string expect_refused(PluginHarness& h) {
  EXPECT_EQ(h.start(), "");
  std::string message;
  EXPECT_FALSE(wait_until([&] { return h.healthy(&message); }, std::chrono::milliseconds(1500)));
  h.healthy(&message);
  return message;
}

// The attempt round health reports ("..., attempt round N: ..."), or 0.
int attempt_round(const std::string& message) {
  auto at = message.find("attempt round ");
  return at == std::string::npos ? 0 : std::atoi(message.c_str() + at + 14);
}

// A refused first handshake is not final: cnats 3.4.1 closes such a
// connection for good on its own, and the connector must dial again with
// its backoff, say why in health, and never call the link closed.
void expect_retrying(PluginHarness& h, const std::string& reason) {
  ASSERT_EQ(h.start(), "");
  std::string message;
  bool closed = false;
  bool retrying = wait_until(
      [&] {
        EXPECT_FALSE(h.healthy(&message)) << message;
        closed = closed || message.rfind("closed", 0) == 0;
        return closed || (attempt_round(message) >= 3 && message.find(reason) != std::string::npos);
      },
      seconds(10));
  EXPECT_TRUE(retrying && !closed) << message << "\n" << h.log_text();
}

TEST(NatsSecurity, UserPassword_RightConnects_WrongIsRefusedWithReason) {
  PrivateServer server({"--user", "alice", "--pass", "s3cret-pw"});
  {
    PluginHarness ok(settings(server.url(), R"("user":"alice","password":"s3cret-pw")"));
    expect_working(ok);
  }
  PluginHarness bad(settings(server.url(), R"("user":"alice","password":"wrong-pw")"));
  std::string message = expect_refused(bad);
  EXPECT_NE(message.find("uthoriz"), std::string::npos) << message;
  EXPECT_EQ(message.find("wrong-pw"), std::string::npos) << message;
}

TEST(NatsSecurity, WrongPassword_KeepsRetryingWithTheReason) {
  PrivateServer server({"--user", "alice", "--pass", "s3cret-pw"});
  PluginHarness bad(settings(server.url(), R"("user":"alice","password":"wrong-pw")"));
  expect_retrying(bad, "uthoriz");
}

TEST(NatsSecurity, Token_Connects) {
  PrivateServer server({"--auth", "t0ken"});
  PluginHarness ok(settings(server.url(), R"("token":"t0ken")"));
  expect_working(ok);
}

class NatsTls : public ::testing::Test {
 protected:
  void SetUp() override {
    auto run = [&](std::vector<std::string> argv) {
      std::string out;
      ASSERT_EQ(run_command(argv, {}, &out), 0) << out;
    };
    write_file(dir_.file("ext.cnf"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
    run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", dir_.file("ca.key"), "-out", ca(), "-days", "2", "-subj",
         "/CN=sluice-test-ca"});
    run({"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", dir_.file("server.key"), "-out", dir_.file("server.csr"), "-subj",
         "/CN=localhost"});
    run({"openssl", "x509", "-req", "-in", dir_.file("server.csr"), "-CA", ca(), "-CAkey",
         dir_.file("ca.key"), "-CAcreateserial", "-out", dir_.file("server.pem"), "-days", "2",
         "-extfile", dir_.file("ext.cnf")});
    server_ = std::make_unique<PrivateServer>(std::vector<std::string>{
        "--tls", "--tlscert", dir_.file("server.pem"), "--tlskey", dir_.file("server.key")});
    url_ = "tls://localhost:" + std::to_string(server_->port());
  }
  std::string ca() const { return dir_.file("ca.pem"); }

  TempDir dir_;
  std::unique_ptr<PrivateServer> server_;
  std::string url_;
};

TEST_F(NatsTls, VerifiedWithTheCa_Connects) {
  PluginHarness h(settings(url_, R"("tls_ca":")" + ca() + R"(")"));
  expect_working(h);
}

TEST_F(NatsTls, UnknownCa_IsRefused) {
  PluginHarness h(settings(url_, R"("tls":true)"));
  std::string message = expect_refused(h);
  EXPECT_FALSE(message.empty());
}

TEST_F(NatsTls, UnknownCa_KeepsRetryingWithTheReason) {
  PluginHarness h(settings(url_, R"("tls":true)"));
  expect_retrying(h, "SSL");
}

// Starting used to race with cnats closing the refused connection
// ("cannot subscribe to the reply inbox: Connection Closed", about one
// start in ten): start many times, each must start and report the reason.
TEST_F(NatsTls, UnknownCa_StartsEveryTime) {
  for (int i = 0; i < 15; ++i) {
    PluginHarness h(settings(url_, R"("tls":true)"));
    ASSERT_EQ(h.start(), "") << "start " << i;
    std::string message;
    EXPECT_TRUE(
        wait_until([&] { return !h.healthy(&message) && message.find("SSL") != std::string::npos; },
                   seconds(5)))
        << "start " << i << ": " << message;
  }
}

TEST_F(NatsTls, VerifyOff_Connects) {
  PluginHarness h(settings(url_, R"("tls_verify":false)"));
  expect_working(h);
}

}  // namespace
}  // namespace sluice::test::nats
