#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sluice/common/line_io/tail_repair.hpp>
#include <vector>

namespace sluice::common::line_io {
namespace {

constexpr size_t kReadBackBytes = 64 * 1024;

// errno's text; errno 0 is a file that shrank while it was read back.
std::string system_error(const std::string& what) {
  return what + ": " + (errno == 0 ? "the file shrank meanwhile" : std::strerror(errno));
}

// A descriptor opened here, closed on scope exit.
class OwnedFd {
 public:
  explicit OwnedFd(int fd) : fd_(fd) {}
  ~OwnedFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  OwnedFd(const OwnedFd&) = delete;
  OwnedFd& operator=(const OwnedFd&) = delete;

 private:
  int fd_;
};

// Reads exactly `size` bytes at `offset`; false (errno set, or 0 when the
// file shrank meanwhile) when it cannot.
bool read_at(int fd, char* out, size_t size, off_t offset) {
  while (size > 0) {
    ssize_t n = ::pread(fd, out, size, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = 0;
      return false;
    }
    out += n;
    size -= static_cast<size_t>(n);
    offset += n;
  }
  return true;
}

// Length of the file's part that ends on its last '\n' (0 when it holds
// none), reading backwards from `size`; -1 on a read error.
off_t terminated_length(int fd, off_t size) {
  std::vector<char> block(kReadBackBytes);
  off_t end = size;
  while (end > 0) {
    size_t n = static_cast<size_t>(std::min<off_t>(end, static_cast<off_t>(block.size())));
    off_t start = end - static_cast<off_t>(n);
    if (!read_at(fd, block.data(), n, start)) return -1;
    if (const void* nl = ::memrchr(block.data(), '\n', n))
      return start + (static_cast<const char*>(nl) - block.data()) + 1;
    end = start;
  }
  return 0;
}

}  // namespace

TailRepair cut_unterminated_last_line(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return {0, system_error("fstat")};
  if (!S_ISREG(st.st_mode) || st.st_size == 0) return {};
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) return {0, system_error("fcntl")};
  if (!(flags & O_APPEND) || (flags & O_ACCMODE) == O_RDONLY) return {};

  int reader = fd;
  int opened = -1;
  if ((flags & O_ACCMODE) == O_WRONLY) {
    std::string self = "/proc/self/fd/" + std::to_string(fd);
    opened = ::open(self.c_str(), O_RDONLY | O_CLOEXEC);
    if (opened < 0) return {0, system_error("cannot read it back through " + self)};
    reader = opened;
  }
  OwnedFd closer(opened);

  char last = 0;
  if (!read_at(reader, &last, 1, st.st_size - 1)) return {0, system_error("read")};
  if (last == '\n') return {};
  off_t keep = terminated_length(reader, st.st_size);
  if (keep < 0) return {0, system_error("read")};
  if (::ftruncate(fd, keep) != 0) return {0, system_error("ftruncate")};
  return {static_cast<uint64_t>(st.st_size - keep), {}};
}

std::string describe_repair(const TailRepair& repair, std::string_view name) {
  return std::string(name) + " ended in an unterminated line, left by a crash or kill during a " +
         "write: cut its last " + std::to_string(repair.bytes_cut) +
         " bytes so that new lines do not glue onto it (its message was never confirmed, so a " +
         "source that redelivers sends it again)";
}

}  // namespace sluice::common::line_io
