// Line I/O's pure parts, tested directly: splitting a byte stream into
// lines (with offsets, overlong lines skipped) and the line formats.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstring>
#include <sluice/common/line_io/line_format.hpp>
#include <sluice/common/line_io/line_splitter.hpp>
#include <sluice/plugin.hpp>

namespace sluice::common::line_io {
namespace {

// Feeds `text` in pieces of `step` bytes; returns the lines (too-long ones
// as "<too long>").
std::vector<std::string> split_all(LineSplitter& splitter, std::string_view text, size_t step,
                                   std::vector<Line>* details = nullptr) {
  std::vector<std::string> out;
  for (size_t i = 0; i < text.size(); i += step) {
    auto piece = text.substr(i, step);
    auto space = splitter.writable();
    std::memcpy(space.data(), piece.data(), piece.size());
    splitter.commit(piece.size());
    while (auto line = splitter.next()) {
      out.push_back(line->too_long ? "<too long>" : std::string(line->text));
      if (details) details->push_back(*line);
    }
  }
  return out;
}

TEST(LineSplitter, SplitsLinesWithOffsetsAcrossReads) {
  LineSplitter splitter(100, 16, 1000);
  std::vector<Line> lines;
  auto text = split_all(splitter, "alpha\nbeta\r\n\ngamma", 3, &lines);
  EXPECT_EQ(text, (std::vector<std::string>{"alpha", "beta", ""}));
  EXPECT_EQ(lines[0].start_offset, 1000u);
  EXPECT_EQ(lines[0].end_offset, 1006u);
  EXPECT_EQ(lines[1].end_offset, 1012u);
  auto rest = splitter.take_rest();
  ASSERT_TRUE(rest.has_value());
  EXPECT_EQ(rest->text, "gamma");
  EXPECT_EQ(rest->end_offset, 1018u);
  EXPECT_FALSE(splitter.take_rest().has_value());
}

TEST(LineSplitter, SkipsOverlongLinesWithoutBufferingThem) {
  LineSplitter splitter(10, 4);
  std::string text = "ok\n" + std::string(1000, 'z') + "\nfine\n" + std::string(11, 'q') + "\nx\n";
  std::vector<Line> lines;
  auto out = split_all(splitter, text, 4, &lines);
  EXPECT_EQ(out, (std::vector<std::string>{"ok", "<too long>", "fine", "<too long>", "x"}));
  EXPECT_EQ(lines[1].start_offset, 3u);
  EXPECT_EQ(lines[1].end_offset, 1004u);
  EXPECT_EQ(lines[2].end_offset, 1009u);
}

TEST(LineSplitter, LineOfExactlyTheLimitIsKept) {
  LineSplitter splitter(10, 64);
  auto out = split_all(splitter, std::string(10, 'a') + "\n", 64);
  EXPECT_EQ(out, (std::vector<std::string>{std::string(10, 'a')}));
}

TEST(LineSplitter, ResetStartsOverAtAnOffset) {
  LineSplitter splitter(100, 16);
  split_all(splitter, "abc\npartial", 64);
  splitter.reset(0);
  std::vector<Line> lines;
  EXPECT_EQ(split_all(splitter, "new\n", 64, &lines), (std::vector<std::string>{"new"}));
  EXPECT_EQ(lines[0].end_offset, 4u);
}

TEST(LineFormat, JsonStringEscapesControlsAndInvalidUtf8) {
  std::string out;
  append_json_string(out, std::string("a\"b\\c\n\x01\xc3\xa9\xff", 10));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\\ufffd\"");
  EXPECT_TRUE(is_valid_json(out));
}

TEST(LineFormat, ValidatesJson) {
  EXPECT_TRUE(is_valid_json("{\"a\":[1,2.5,\"x\",null,true]}"));
  EXPECT_TRUE(is_valid_json(" 42 "));
  EXPECT_FALSE(is_valid_json("{\"a\":1} trailing"));
  EXPECT_FALSE(is_valid_json("{\"a\":"));
  EXPECT_FALSE(is_valid_json(""));
  EXPECT_FALSE(is_valid_json("hello"));
}

TEST(LineFormat, JsonLineEmbedsJsonPayloadOnOneLine) {
  sluice_header headers[] = {{to_bytes("h"), to_bytes("v")}};
  sluice_message m{};
  m.struct_size = sizeof m;
  m.payload = to_bytes("{\"a\":\n 1}");
  m.key = to_bytes("k1");
  m.subject = to_bytes("s.1");
  m.headers = headers;
  m.header_count = 1;
  m.timestamp_ms = 1700000000123;
  std::string out;
  append_line(out, MessageView(&m), LineFormat::kJson);
  ASSERT_EQ(out.back(), '\n');
  EXPECT_EQ(out.find('\n'), out.size() - 1);
  auto o = boost::json::parse(out).as_object();
  EXPECT_EQ(o.at("subject").as_string(), "s.1");
  EXPECT_EQ(o.at("key").as_string(), "k1");
  EXPECT_EQ(o.at("headers").at("h").as_string(), "v");
  EXPECT_EQ(o.at("timestamp").to_number<int64_t>(), 1700000000123);
  EXPECT_EQ(o.at("payload").at("a").to_number<int>(), 1);

  out.clear();
  append_line(out, MessageView(&m), LineFormat::kRaw);
  EXPECT_EQ(out, "{\"a\":\n 1}\n");
}

}  // namespace
}  // namespace sluice::common::line_io
