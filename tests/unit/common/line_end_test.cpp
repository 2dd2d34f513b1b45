// Where the sinks' writes end and how a half-written last line is repaired,
// tested directly: the pieces that keep a line file whole across kill -9.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sluice/common/line_io/batch_writer.hpp>
#include <sluice/common/line_io/line_chunks.hpp>
#include <sluice/common/line_io/tail_repair.hpp>
#include <thread>

#include "support/sluice_test.hpp"

namespace sluice::common::line_io {
namespace {

using test::read_file;
using test::TempDir;
using test::write_file;

// Lines of varied lengths, so that they straddle every chunk boundary.
std::string varied_lines(size_t count) {
  std::string out;
  for (size_t i = 0; i < count; ++i)
    out += "line-" + std::to_string(i) + " " + std::string(i % 150, 'x') + "\n";
  return out;
}

TEST(LineChunks, ChunksEndOnTheLastLineEndWithinTheLimit) {
  std::string data = "aaaa\nbbbb\ncccc\n";
  EXPECT_EQ(line_chunk_end(data, 0, 12), 10u);           // "aaaa\nbbbb\n": cccc straddles the limit
  EXPECT_EQ(line_chunk_end(data, 0, 10), 10u);           // a line end exactly at the limit
  EXPECT_EQ(line_chunk_end(data, 10, 12), data.size());  // the rest fits
  EXPECT_EQ(line_chunk_end(data, 0, 100), data.size());
}

TEST(LineChunks, LineLongerThanTheLimitGoesWhole) {
  std::string data = "ab\n" + std::string(100, 'L') + "\nc\n";
  EXPECT_EQ(line_chunk_end(data, 0, 10), 3u);
  EXPECT_EQ(line_chunk_end(data, 3, 10), 104u);  // the whole long line, never a part of it
  EXPECT_EQ(line_chunk_end(data, 104, 10), data.size());
}

TEST(LineChunks, ChunkingCoversTheDataInLineEndedPieces) {
  std::string data = varied_lines(5000);
  ASSERT_GT(data.size(), 4 * kMaxWriteBytes);
  size_t from = 0, pieces = 0;
  while (from < data.size()) {
    size_t end = line_chunk_end(data, from, kMaxWriteBytes);
    ASSERT_GT(end, from);
    ASSERT_LE(end - from, kMaxWriteBytes);
    ASSERT_EQ(data[end - 1], '\n') << "piece " << pieces << " ends inside a line";
    from = end;
    ++pieces;
  }
  EXPECT_GE(pieces, 5u);
}

// A SOCK_SEQPACKET socket keeps each write() as one record: the records the
// reader receives are exactly the writer's write() calls.
TEST(BatchWriter, EveryWriteEndsOnALineEndAndALongLineGoesWhole) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds), 0);
  int buffer = 4 << 20;  // room for the long line as one record
  ::setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
  const std::string long_line = std::string(100 * 1024, 'L') + "\n";
  std::vector<std::string> lines;
  for (size_t i = 0; i < 3000; ++i) {
    lines.push_back("line-" + std::to_string(i) + " " + std::string(i % 150, 'x') + "\n");
    if (i == 1500) lines.push_back(long_line);
  }
  std::string expected;
  for (const auto& line : lines) expected += line;

  std::vector<std::string> records;
  std::thread reader([&] {
    std::string buf(1 << 20, '\0');
    size_t total = 0;
    while (total < expected.size()) {
      ssize_t n = ::recv(fds[1], buf.data(), buf.size(), 0);
      if (n <= 0) break;
      records.emplace_back(buf.data(), static_cast<size_t>(n));
      total += static_cast<size_t>(n);
    }
  });
  {
    BatchWriter::Options options;
    options.batch_bytes = 1 << 20;  // the whole lot is one batch...
    options.flush_interval_ms = 60000;
    options.name = "socket";
    std::string error;
    BatchWriter writer(fds[0], options, [&](const std::string& e) { error = e; });
    for (const auto& line : lines) {
      Completion none;
      EXPECT_TRUE(writer.append([&](std::string& out) { out += line; }, none));
    }
    EXPECT_TRUE(writer.flush(30000));  // ...written in line-ended pieces
    EXPECT_EQ(error, "");
  }
  ::shutdown(fds[0], SHUT_WR);
  reader.join();
  ::close(fds[0]);
  ::close(fds[1]);

  std::string received;
  bool long_line_whole = false;
  for (const auto& record : records) {
    received += record;
    ASSERT_EQ(record.back(), '\n') << "a write ended inside a line";
    if (record.size() > kMaxWriteBytes) {
      EXPECT_EQ(record, long_line) << "only a single long line may exceed the write size";
      long_line_whole = true;
    }
  }
  EXPECT_TRUE(long_line_whole);
  EXPECT_EQ(received, expected);
  EXPECT_GE(records.size(), expected.size() / kMaxWriteBytes);
}

// Opens `path` as a sink would and repairs it.
TailRepair repair(const std::string& path, int flags = O_WRONLY | O_APPEND) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  EXPECT_GE(fd, 0) << path;
  TailRepair result = cut_unterminated_last_line(fd);
  ::close(fd);
  return result;
}

TEST(TailRepair, CutsAnUnterminatedLastLine) {
  TempDir dir;
  // Write-only, as stdout redirected with `>>`: read back through /proc.
  write_file(dir.file("a"), "one\ntwo\nthr");
  TailRepair cut = repair(dir.file("a"));
  EXPECT_EQ(cut.error, "");
  EXPECT_EQ(cut.bytes_cut, 3u);
  EXPECT_EQ(read_file(dir.file("a")), "one\ntwo\n");
  // Readable, as the file sink opens it.
  write_file(dir.file("b"), "{\"a\":1}\n{\"data\":{\"DEVICE_ID\":\"08480");
  cut = repair(dir.file("b"), O_RDWR | O_APPEND);
  EXPECT_EQ(cut.error, "");
  EXPECT_EQ(cut.bytes_cut, 27u);
  EXPECT_EQ(read_file(dir.file("b")), "{\"a\":1}\n");
  EXPECT_NE(describe_repair(cut, "b").find("27 bytes"), std::string::npos);
}

TEST(TailRepair, FindsTheLastLineEndBehindALongFragment) {
  TempDir dir;
  write_file(dir.file("out"), "head\n" + std::string(300 * 1024, 'x'));  // several read-backs
  TailRepair cut = repair(dir.file("out"));
  EXPECT_EQ(cut.bytes_cut, 300u * 1024);
  EXPECT_EQ(read_file(dir.file("out")), "head\n");
  write_file(dir.file("none"), std::string(70 * 1024, 'y'));  // not a single line end
  cut = repair(dir.file("none"));
  EXPECT_EQ(cut.bytes_cut, 70u * 1024);
  EXPECT_EQ(read_file(dir.file("none")), "");
}

TEST(TailRepair, LeavesATerminatedOrEmptyFileUntouched) {
  TempDir dir;
  write_file(dir.file("whole"), "one\ntwo\n");
  TailRepair cut = repair(dir.file("whole"));
  EXPECT_EQ(cut.error, "");
  EXPECT_EQ(cut.bytes_cut, 0u);
  EXPECT_EQ(read_file(dir.file("whole")), "one\ntwo\n");
  write_file(dir.file("empty"), "");
  EXPECT_EQ(repair(dir.file("empty")).bytes_cut, 0u);
}

TEST(TailRepair, LeavesPipesAndFilesWrittenAtAnOffsetAlone) {
  TempDir dir;
  write_file(dir.file("not-appended"), "abc\npart");
  TailRepair cut = repair(dir.file("not-appended"), O_WRONLY);
  EXPECT_EQ(cut.error, "");
  EXPECT_EQ(cut.bytes_cut, 0u);
  EXPECT_EQ(read_file(dir.file("not-appended")), "abc\npart");

  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  ASSERT_EQ(::write(fds[1], "part", 4), 4);
  cut = cut_unterminated_last_line(fds[1]);
  EXPECT_EQ(cut.error, "");
  EXPECT_EQ(cut.bytes_cut, 0u);
  char buf[8];
  EXPECT_EQ(::read(fds[0], buf, sizeof buf), 4);  // nothing was taken from the pipe
  ::close(fds[0]);
  ::close(fds[1]);
}

}  // namespace
}  // namespace sluice::common::line_io
