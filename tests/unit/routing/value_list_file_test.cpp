// `in: { file: ... }`: a route's value set read from a file, one value per
// line, relative to the file that declares the route.
#include "routing/value_list_file.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "message_builder.hpp"
#include "routing/predicate.hpp"
#include "support/files.hpp"

namespace sluice::routing {
namespace {

using sluice::test::TempDir;
using sluice::test::write_file;

TEST(ValueFile, OneValuePerLineTrimmedWithoutBlanksOrComments) {
  TempDir dir;
  write_file(dir.file("ids.txt"), "# devices on trial\n  0848086001 \r\n\n0848086002\n#x\nlast");
  std::string error;
  auto values = read_value_file("ids.txt", dir.path().string(), error);
  ASSERT_TRUE(values) << error;
  EXPECT_EQ(boost::json::serialize(*values), R"(["0848086001","0848086002","last"])");
}

TEST(ValueFile, AbsolutePathIgnoresTheDirectory) {
  TempDir dir;
  write_file(dir.file("ids.txt"), "a\n");
  std::string error;
  auto values = read_value_file(dir.file("ids.txt"), "/nonexistent", error);
  ASSERT_TRUE(values) << error;
  EXPECT_EQ(values->size(), 1u);
}

TEST(ValueFile, MissingFileOrDirectoryIsAnErrorNamingThePath) {
  TempDir dir;
  std::string error;
  EXPECT_FALSE(read_value_file("nope.txt", dir.path().string(), error));
  EXPECT_NE(error.find("cannot read the value file " + dir.file("nope.txt")), std::string::npos)
      << error;
  EXPECT_FALSE(read_value_file(dir.path().string(), "", error));
  EXPECT_NE(error.find("it is a directory"), std::string::npos) << error;
}

bool matches(std::string_view spec, std::string_view payload, const std::string& dir) {
  std::vector<std::string> errors;
  auto p = Predicate::compile(boost::json::parse(spec), errors, "where", dir);
  EXPECT_TRUE(p) << (errors.empty() ? "" : errors.front());
  if (!p) return false;
  auto m = test::make_message(std::string(payload));
  return p->matches(MessageContext{*m, "src", "node-1"});
}

TEST(ValueFile, InAndNotInReadTheFileLikeAnInlineList) {
  TempDir dir;
  std::string ids;
  for (int i = 0; i < 500; ++i) ids += "dev-" + std::to_string(i) + "\n";
  ids += "42\n";
  write_file(dir.file("ids.txt"), ids);
  std::string d = dir.path().string();
  EXPECT_TRUE(matches(R"({"id": {"in": {"file": "ids.txt"}}})", R"({"id":"dev-499"})", d));
  EXPECT_FALSE(matches(R"({"id": {"in": {"file": "ids.txt"}}})", R"({"id":"dev-500"})", d));
  EXPECT_TRUE(matches(R"({"id": {"not_in": {"file": "ids.txt"}}})", R"({"id":"dev-500"})", d));
  // A line that reads as a number matches the number, as "42" inline does.
  EXPECT_TRUE(matches(R"({"id": {"in": {"file": "ids.txt"}}})", R"({"id":42})", d));
}

TEST(ValueFile, CompiledAgainTheFileIsReadAgain) {
  TempDir dir;
  write_file(dir.file("ids.txt"), "a\n");
  std::string d = dir.path().string();
  EXPECT_FALSE(matches(R"({"id": {"in": {"file": "ids.txt"}}})", R"({"id":"b"})", d));
  write_file(dir.file("ids.txt"), "a\nb\n");
  EXPECT_TRUE(matches(R"({"id": {"in": {"file": "ids.txt"}}})", R"({"id":"b"})", d));
}

TEST(ValueFile, BadSpecsAreErrorsAtTheirPath) {
  TempDir dir;
  std::vector<std::string> errors;
  EXPECT_FALSE(Predicate::compile(boost::json::parse(R"({"id": {"in": {"path": "x"}}})"), errors,
                                  "where", dir.path().string()));
  EXPECT_FALSE(Predicate::compile(boost::json::parse(R"({"id": {"in": {"file": "x.txt"}}})"),
                                  errors, "where", dir.path().string()));
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], "where.id.in: expected a list or { file: path } (one value per line)");
  EXPECT_EQ(errors[1].rfind("where.id.in.file: cannot read the value file " + dir.file("x.txt"), 0),
            0u)
      << errors[1];
}

}  // namespace
}  // namespace sluice::routing
