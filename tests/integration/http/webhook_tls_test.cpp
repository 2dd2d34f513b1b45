// The webhook server over HTTPS, with certificates made by `openssl` in the
// test and `curl` as the client: a trusted server certificate, and the
// optional client-certificate check refusing clients without one.
#include <gtest/gtest.h>

#include "http_harness.hpp"

namespace sluice::test::http {
namespace {

using namespace std::chrono_literals;

// Runs openssl with `args`; fails the test with its output otherwise.
void openssl(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::string output;
  ASSERT_EQ(run_command(argv, {}, &output, 60s), 0) << output;
}

// A CA, a server certificate for 127.0.0.1 and a client certificate, both
// signed by the CA, as PEM files in `dir`: ca.pem, server.pem/.key,
// client.pem/.key.
void make_certificates(const TempDir& dir) {
  auto f = [&](const char* name) { return dir.file(name); };
  openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=test-ca",
           "-keyout", f("ca.key"), "-out", f("ca.pem")});
  for (const char* who : {"server", "client"}) {
    std::string name = who;
    openssl({"req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + name, "-keyout",
             f((name + ".key").c_str()), "-out", f((name + ".csr").c_str())});
    write_file(f((name + ".ext").c_str()), name == "server"
                                               ? "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                                               : "extendedKeyUsage=clientAuth\n");
    openssl({"x509", "-req", "-in", f((name + ".csr").c_str()), "-CA", f("ca.pem"), "-CAkey",
             f("ca.key"), "-CAcreateserial", "-days", "1", "-extfile", f((name + ".ext").c_str()),
             "-out", f((name + ".pem").c_str())});
  }
}

// A webhook over HTTPS with fresh certificates, writing into out_.
class WebhookTls : public WebhookTest {
 protected:
  // Starts it; `check_clients` adds tls_client_ca.
  void start_tls(bool check_clients) {
    ASSERT_NO_FATAL_FAILURE(make_certificates(dir_));
    std::string tls = ", tls_cert: \"" + dir_.file("server.pem") + "\", tls_key: \"" +
                      dir_.file("server.key") + "\"";
    if (check_clients) tls += ", tls_client_ca: \"" + dir_.file("ca.pem") + "\"";
    start(webhook_config(dir_, port_, out_, tls));
  }

  std::string https_ = url("/ingest/x", "https");
};

TEST_F(WebhookTls, ServesHttpsWithTheConfiguredCertificate) {
  ASSERT_NO_FATAL_FAILURE(start_tls(false));
  auto answer = curl(dir_, {"--cacert", dir_.file("ca.pem"), "--data", R"({"tls":true})", https_});
  ASSERT_EQ(answer.status, 200) << answer.output << sluice_->output();
  EXPECT_EQ(read_lines(out_), std::vector<std::string>{R"({"tls":true})"});
  // Without the CA curl does not trust the server; plain HTTP gets no answer.
  EXPECT_EQ(curl(dir_, {"--data", "{}", https_}).status, 0);
  EXPECT_EQ(curl(dir_, {"--data", "{}", url("/ingest/x")}).status, 0);
  EXPECT_EQ(count_lines(out_), 1u);
}

TEST_F(WebhookTls, RefusesClientsWithoutACertificateSignedByTheClientCa) {
  ASSERT_NO_FATAL_FAILURE(start_tls(true));
  auto anonymous = curl(dir_, {"--cacert", dir_.file("ca.pem"), "--data", R"({"n":1})", https_});
  EXPECT_EQ(anonymous.status, 0) << anonymous.output;
  // A certificate the CA did not sign (self-signed, with the client's key).
  openssl({"req", "-x509", "-key", dir_.file("client.key"), "-days", "1", "-subj", "/CN=stranger",
           "-out", dir_.file("stranger.pem")});
  auto stranger = curl(dir_, {"--cacert", dir_.file("ca.pem"), "--cert", dir_.file("stranger.pem"),
                              "--key", dir_.file("client.key"), "--data", R"({"n":2})", https_});
  EXPECT_EQ(stranger.status, 0) << stranger.output;

  auto known = curl(dir_, {"--cacert", dir_.file("ca.pem"), "--cert", dir_.file("client.pem"),
                           "--key", dir_.file("client.key"), "--data", R"({"n":3})", https_});
  ASSERT_EQ(known.status, 200) << known.output << sluice_->output();
  EXPECT_EQ(read_lines(out_), std::vector<std::string>{R"({"n":3})"});
}

}  // namespace
}  // namespace sluice::test::http
