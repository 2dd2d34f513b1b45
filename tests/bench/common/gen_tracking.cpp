// Writes the benchmark data set: N lines of vehicle-tracking JSON (~250 bytes
// each), byte-identical on every run and machine (own PRNG, own formatting).
//
//   gen-tracking [-n LINES] [-o FILE] [-s SEED]     (defaults: 1000000, stdout, 1)
//
// Line i belongs to device 0848086000 + i % 1000, so each device gets the same
// number of lines, in order. In every block of 10 consecutive lines exactly 3
// have SPEED "0.00" (exactly 30% when N is a multiple of 10); half of those
// have ENGINE_STATUS "OFF", every other line is "ON" with a speed of
// 1.00-119.99. GPS_DATETIME advances one second per 1000 lines.
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace {

// splitmix64: tiny, fast, and its output is fixed by its definition.
class Prng {
 public:
  explicit Prng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, bound) (the modulo bias is irrelevant here).
  std::uint64_t below(std::uint64_t bound) { return next() % bound; }

 private:
  std::uint64_t state_;
};

constexpr int kDevices = 1000;
constexpr int kBlock = 10;
constexpr int kStoppedPerBlock = 3;

// A device's home position in micro-degrees around Querétaro.
struct Home {
  std::int64_t lat_micro;
  std::int64_t lon_micro;
};

// "+20.652472" / "-100.391423" from micro-degrees.
void format_degrees(char* out, std::size_t size, std::int64_t micro) {
  const char sign = micro < 0 ? '-' : '+';
  const std::int64_t magnitude = micro < 0 ? -micro : micro;
  std::snprintf(out, size, "%c%" PRId64 ".%06" PRId64, sign, magnitude / 1000000,
                magnitude % 1000000);
}

// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm): no
// time-zone or locale involved.
void civil_from_days(std::int64_t z, int& year, unsigned& month, unsigned& day) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<int>(yoe + era * 400 + (month <= 2));
}

void format_datetime(char* out, std::size_t size, std::int64_t epoch_seconds) {
  int year;
  unsigned month, day;
  civil_from_days(epoch_seconds / 86400, year, month, day);
  const std::int64_t secs = epoch_seconds % 86400;
  std::snprintf(out, size, "%04d-%02u-%02u %02d:%02d:%02d", year, month, day,
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60));
}

void format_uuid(char* out, std::size_t size, Prng& prng) {
  const std::uint64_t hi = prng.next(), lo = prng.next();
  // Version 4, variant 10xx, as a real random UUID would have.
  std::snprintf(out, size, "%08" PRIx64 "-%04" PRIx64 "-4%03" PRIx64 "-%04" PRIx64 "-%012" PRIx64,
                hi >> 32, (hi >> 16) & 0xFFFF, hi & 0xFFF, 0x8000 | ((lo >> 48) & 0x3FFF),
                static_cast<std::uint64_t>(lo & 0xFFFFFFFFFFFFULL));
}

int usage(const char* prog) {
  std::fprintf(stderr, "usage: %s [-n LINES] [-o FILE] [-s SEED]\n", prog);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t lines = 1000000;
  std::uint64_t seed = 1;
  const char* out_path = nullptr;
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (std::strcmp(argv[i], "-n") == 0 && has_value) {
      lines = std::strtoull(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "-o") == 0 && has_value) {
      out_path = argv[++i];
    } else if (std::strcmp(argv[i], "-s") == 0 && has_value) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else {
      return usage(argv[0]);
    }
  }

  std::FILE* out = out_path ? std::fopen(out_path, "wb") : stdout;
  if (!out) {
    std::perror(out_path);
    return 1;
  }
  static char buffer[1 << 20];
  std::setvbuf(out, buffer, _IOFBF, sizeof buffer);

  Prng prng(seed);
  Home homes[kDevices];
  for (auto& home : homes) {
    home.lat_micro = 20588000 + static_cast<std::int64_t>(prng.below(130000));
    home.lon_micro = -100450000 + static_cast<std::int64_t>(prng.below(120000));
  }
  const std::int64_t start_epoch = 1760748676;  // 2025-10-18 00:51:16 UTC

  bool stopped_in_block[kBlock] = {};
  for (std::uint64_t i = 0; i < lines; ++i) {
    if (i % kBlock == 0) {
      // Pick exactly kStoppedPerBlock positions of this block (partial Fisher-Yates).
      int order[kBlock];
      for (int k = 0; k < kBlock; ++k) order[k] = k;
      for (int k = 0; k < kStoppedPerBlock; ++k) {
        int j = k + static_cast<int>(prng.below(kBlock - k));
        std::swap(order[k], order[j]);
      }
      std::memset(stopped_in_block, 0, sizeof stopped_in_block);
      for (int k = 0; k < kStoppedPerBlock; ++k) stopped_in_block[order[k]] = true;
    }
    const int device = static_cast<int>(i % kDevices);
    const bool stopped = stopped_in_block[i % kBlock];
    const Home& home = homes[device];

    char lat[24], lon[24], speed[16], when[32], uuid[40];
    format_degrees(lat, sizeof lat,
                   home.lat_micro + static_cast<std::int64_t>(prng.below(2001)) - 1000);
    format_degrees(lon, sizeof lon,
                   home.lon_micro + static_cast<std::int64_t>(prng.below(2001)) - 1000);
    const std::uint64_t centi = stopped ? 0 : 100 + prng.below(11900);
    std::snprintf(speed, sizeof speed, "%" PRIu64 ".%02" PRIu64, centi / 100, centi % 100);
    format_datetime(when, sizeof when, start_epoch + static_cast<std::int64_t>(i / kDevices));
    const char* engine = stopped && prng.below(2) == 0 ? "OFF" : "ON";
    const unsigned satellites = 4 + static_cast<unsigned>(prng.below(9));
    const unsigned gateway = 1 + static_cast<unsigned>(prng.below(4));
    format_uuid(uuid, sizeof uuid, prng);

    std::fprintf(out,
                 "{\"data\":{\"DEVICE_ID\":\"0848086%03d\",\"LATITUD\":\"%s\",\"LONGITUD\":\"%s\","
                 "\"SPEED\":\"%s\",\"GPS_DATETIME\":\"%s\",\"ENGINE_STATUS\":\"%s\","
                 "\"SATELLITES\":\"%u\"},\"metadata\":{\"source\":\"gw-%u\"},\"uuid\":\"%s\"}\n",
                 device, lat, lon, speed, when, engine, satellites, gateway, uuid);
  }
  if (std::fflush(out) != 0 || (out_path && std::fclose(out) != 0)) {
    std::perror(out_path ? out_path : "stdout");
    return 1;
  }
  return 0;
}
