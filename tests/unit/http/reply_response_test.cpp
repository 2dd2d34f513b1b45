// A handler's reply to a webhook request as the HTTP response: the status
// from `http-status`, the type from `content-type`, the rest sent on.
#include "reply_response.hpp"

#include <gtest/gtest.h>

namespace sluice::http_plugin {
namespace {

// read_reply of a reply with `payload` and `headers`.
ReplyData read(std::string payload,
               std::vector<std::pair<std::string_view, std::string_view>> headers,
               std::string& problem) {
  OutMessage out;
  out.payload = std::move(payload);
  out.headers = std::move(headers);
  sluice_message m;
  std::vector<sluice_header> h, a;
  out.to_c(m, h, a);
  return read_reply(MessageView(&m), problem);
}

TEST(ReplyResponse, HttpStatusSetsTheCodeAndContentTypeTheType) {
  std::string problem;
  ReplyData reply =
      read("no such order", {{"http-status", "404"}, {"content-type", "text/plain"}, {"x-id", "7"}},
           problem);
  EXPECT_TRUE(problem.empty()) << problem;
  Response res = reply_response(reply, 11);
  EXPECT_EQ(res.result_int(), 404u);
  EXPECT_EQ(res[http::field::content_type], "text/plain");
  EXPECT_EQ(res["x-id"], "7");
  EXPECT_EQ(res.count("http-status"), 0u);
  EXPECT_EQ(res.body(), "no such order");
}

TEST(ReplyResponse, WithoutHttpStatusItIs200AndOtherStatusHeadersAreJustHeaders) {
  std::string problem;
  Response res = reply_response(read("{}", {{"status", "404"}, {":status", "404"}}, problem), 11);
  EXPECT_TRUE(problem.empty()) << problem;
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(res["status"], "404");
  EXPECT_EQ(res.count(":status"), 0u);
  EXPECT_EQ(res[http::field::content_type], "application/octet-stream");
}

TEST(ReplyResponse, AnInvalidHttpStatusIsA500ThatSaysWhy) {
  for (std::string_view bad : {"abc", "99", "600", "200 OK", ""}) {
    std::string problem;
    ReplyData reply = read("body", {{"http-status", bad}, {"x-id", "7"}}, problem);
    EXPECT_NE(problem.find("is not a status code from 100 to 599"), std::string::npos) << bad;
    Response res = reply_response(reply, 11);
    EXPECT_EQ(res.result_int(), 500u) << bad;
    EXPECT_EQ(res[http::field::content_type], "application/json");
    EXPECT_NE(res.body().find("is not a status code"), std::string::npos) << res.body();
    EXPECT_EQ(res.count("x-id"), 0u);  // the handler's reply is not sent
  }
}

}  // namespace
}  // namespace sluice::http_plugin
