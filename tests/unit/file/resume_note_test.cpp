#include "resume_note.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace sluice::file {
namespace {

TEST(WithThousands, GroupsDigitsByThree) {
  EXPECT_EQ(with_thousands(0), "0");
  EXPECT_EQ(with_thousands(999), "999");
  EXPECT_EQ(with_thousands(1000), "1,000");
  EXPECT_EQ(with_thousands(1000000), "1,000,000");
  EXPECT_EQ(with_thousands(12345678), "12,345,678");
}

class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    char name[] = "/tmp/sluice-resume-XXXXXX";
    fd_ = ::mkstemp(name);
    path_ = name;
    EXPECT_EQ(::write(fd_, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  }
  ~TempFile() {
    ::close(fd_);
    std::remove(path_.c_str());
  }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  std::string path_;
};

TEST(LinesBefore, CountsNewlinesUpToTheOffsetOnly) {
  TempFile file("a\nbb\nccc\ndddd\n");
  EXPECT_EQ(lines_before(file.fd(), 0, 1000), 0u);
  EXPECT_EQ(lines_before(file.fd(), 5, 1000), 2u);   // "a\nbb\n"
  EXPECT_EQ(lines_before(file.fd(), 14, 1000), 4u);  // the whole file
  // The caller's read position is untouched (pread).
  EXPECT_EQ(::lseek(file.fd(), 0, SEEK_CUR), 14);
}

TEST(LinesBefore, GivesUpBeyondTheScanLimitOrTheFileEnd) {
  TempFile file("a\nb\n");
  EXPECT_EQ(lines_before(file.fd(), 4, 3), std::nullopt);
  EXPECT_EQ(lines_before(file.fd(), 100, 1000), std::nullopt);
}

TEST(ResumeNote, SaysWhereAndHowToStartOver) {
  EXPECT_EQ(resume_note("in.jsonl", 1000000, 58000000, 58000000, "state/in.json", false),
            "resuming in.jsonl after line 1,000,000, byte 58,000,000 of 58,000,000 (the end: "
            "nothing to read), from checkpoint state/in.json; delete it to read from the start");
  EXPECT_EQ(resume_note("in.jsonl", std::nullopt, 10, 20, "cp", true),
            "resuming in.jsonl after byte 10 of 20, from checkpoint cp; delete it to read from "
            "the start");
  EXPECT_NE(resume_note("in.jsonl", 3, 20, 20, "cp", true).find("the end: waiting for new lines"),
            std::string::npos);
}

}  // namespace
}  // namespace sluice::file
