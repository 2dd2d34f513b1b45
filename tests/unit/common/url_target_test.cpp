#include <gtest/gtest.h>

#include <sluice/common/url_target.hpp>

namespace sluice::common {
namespace {

TEST(UrlTarget, SplitsPathAndDecodesParameters) {
  auto t = parse_url_target("/api/v1/stream?device_ids=a%2Cb,c&token=x+y&flag");
  EXPECT_EQ(t.path, "/api/v1/stream");
  EXPECT_EQ(t.param("device_ids"), "a,b,c");
  EXPECT_EQ(t.param("token"), "x y");
  EXPECT_EQ(t.param("flag"), "");
  EXPECT_FALSE(t.param("nope"));
  EXPECT_EQ(split_list(" a, b,,c "), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(UrlTarget, AnEncodedValueDecodesToItself) {
  const std::string hostile = R"({"a b":"x&y=z+1%","ü":[1,2]}#?)";
  auto t = parse_url_target("/tap?where=" + encode_query_value(hostile) + "&n=1");
  EXPECT_EQ(t.param("where"), hostile);
  EXPECT_EQ(t.param("n"), "1");
  EXPECT_EQ(encode_query_value("Az09-._~"), "Az09-._~");
  EXPECT_EQ(encode_query_value("a b/+"), "a%20b%2F%2B");
}

}  // namespace
}  // namespace sluice::common
