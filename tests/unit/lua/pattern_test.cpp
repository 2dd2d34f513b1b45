// The budgeted pattern functions give the stock string library's results
// and errors: each case runs in a stock Lua state and in a sandboxed one.
#include <gtest/gtest.h>

#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "lua/lua_state.hpp"

namespace sluice::test {
namespace {

// probe(i) runs case i and returns its results as text ("ok|1|3|..." or
// "error|<message>"); nil past the last case.
constexpr const char* kProbe = R"lua(
local cases = {
  {"find", "hello world", "o w"}, {"find", "hello", "l+"}, {"find", "hello", "xyz"},
  {"find", "a.b", ".", 1, true}, {"find", "a+b", "+", 1, true}, {"find", "abc", "", 10},
  {"find", "abc", "", 4}, {"find", "abc", "b", -1}, {"find", "abc", "b", -10},
  {"find", "a\0b", "\0"}, {"find", "a\0b", "%z"}, {"find", "hello", "(l)(l)"},
  {"find", "hello", "()ll()"}, {"find", "  x", "^%s*"}, {"find", "abc", "^b"},
  {"match", "key = value", "(%w+)%s*=%s*(%w+)"}, {"match", "2024-01-02", "(%d+)-(%d+)-(%d+)"},
  {"match", "THE (quick) fox", "%((%a+)%)"}, {"match", "f(a(b)c)d", "%b()"},
  {"match", "THE (quick) fox", "%f[%a]%a+"}, {"match", "hello", ".-(l+)(.*)"},
  {"match", "aaa", "a-b"}, {"match", "aaab", "a-b"}, {"match", "x = 'it''s'", "(['\"])(.-)%1"},
  {"match", "[[x]]", "%[(%[?)(.-)%]%1"}, {"match", "abc", "[a-b]+"}, {"match", "a-z", "[a%-z]+"},
  {"match", "x]y", "[]]"}, {"match", "x^y", "[%^x]+"}, {"match", "ab12", "[^%d]+"},
  {"match", "end$", "d%$"}, {"match", "a$b", "a$b"}, {"match", "abc", "abc$"},
  {"match", "hello", "(h)(e)(l)(l)(o)"}, {"match", "hello", "()"},
  {"match", "  trim  ", "^%s*(.-)%s*$"}, {"match", "\195\132\195\150", "[\128-\255]+"},
  {"match", "abc", "%u"}, {"match", "aBc", "%U+"}, {"match", "a.b", "%."},
  {"match", "tab\there", "%c"}, {"match", "x1_y", "[%w_]+"}, {"match", "0x1F", "%x+", 3},
  {"match", "hello", "l", -2}, {"match", "a", "?"}, {"match", "THE END", "%f[%z]"},
  {"match", "a,b;;c", "[,;]+"}, {"match", "x", "[%a-z]"}, {"match", "--", "[a-]+"},
  {"gmatch", "one two  three", "%a+"}, {"gmatch", "k1=v1, k2=v2", "(%w+)=(%w+)"},
  {"gmatch", "abc", ""}, {"gmatch", "abc", ".-"}, {"gmatch", "^a^a", "^a"},
  {"gmatch", "hello world", "o", 6}, {"gmatch", "abc", "()"}, {"gmatch", "abc", "x*", 10},
  {"gsub", "hello world", "o", "0"}, {"gsub", "hello world", "(o)", "[%1]"},
  {"gsub", "hello", "", "-"}, {"gsub", "abc", "%w", "%0%0"}, {"gsub", "abc", "%w", "%%"},
  {"gsub", "hello world", "%w+", "<%0>", 1}, {"gsub", "$name and $x", "%$(%w+)", {name = "N"}},
  {"gsub", "abc", "%w", function(c) return c:upper() end},
  {"gsub", "abc", "%w", function(c) if c == "b" then return false end return 1 end},
  {"gsub", "abc", "()b()", "%1-%2"}, {"gsub", "  x  ", "^%s+", ""}, {"gsub", "aaa", "a*", "-"},
  {"gsub", "abc", "b*", "X"}, {"gsub", "x", "x", 12}, {"gsub", "abc", "", "", 0},
  -- errors
  {"find", "x", "%"}, {"find", "x", "[a"}, {"find", "x", "(x"}, {"find", "x", "x)"},
  {"find", "x", "%1"}, {"find", "x", "%b"}, {"find", "x", "%fx"}, {"match", "x", "(()"},
  {"gsub", "x", "x", "%2"}, {"gsub", "x", "x", "%z"}, {"gsub", "x", "x", true},
  {"gsub", "x", "x", function() return {} end}, {"match", "x", string.rep("()", 33)},
  {"match", string.rep("a", 300), string.rep("a?", 300) .. string.rep("a", 300)},
  {"find", 123, 2}, {"find", "x", nil}, {"match", "x", "(x%1)"}, {"gsub", "x", "(x", "y"},
}
local function collect(...)
  local out = {}
  for i = 1, select("#", ...) do out[#out + 1] = tostring((select(i, ...))) end
  return out
end
function probe(index)
  local case = cases[index]
  if not case then return nil end
  local name, a, b, c, d = case[1], case[2], case[3], case[4], case[5]
  local ok, result = pcall(function()
    if name == "gmatch" then
      local all = {}
      for x, y in string.gmatch(a, b, c) do all[#all + 1] = tostring(x) .. "," .. tostring(y) end
      return all
    end
    return collect(string[name](a, b, c, d))
  end)
  if not ok then return "error|" .. tostring(result) end
  return "ok|" .. table.concat(result, "|")
end
-- Random patterns and subjects from a fixed seed, in the same order in
-- both states: the results of `count` calls as one text.
function fuzz(count)
  local seed = 12345
  local function pick(n) seed = (seed * 1103515245 + 12345) % 2147483648 return seed % n + 1 end
  local tokens = { "a", "b", ".", "%a", "%d", "[ab]", "[^a]", "(", ")", "*", "+", "-", "?",
                   "^", "$", "%1", "%b()", "%f[a]", "()", "[a-c]", "%%", "1" }
  local chars = { "a", "b", "c", "1", "(", ")", " " }
  local out = {}
  for i = 1, count do
    local p, s = {}, {}
    for _ = 1, pick(6) do p[#p + 1] = tokens[pick(#tokens)] end
    for _ = 1, pick(13) - 1 do s[#s + 1] = chars[pick(#chars)] end
    p, s = table.concat(p), table.concat(s)
    local name = ({ "find", "match", "gmatch", "gsub" })[pick(4)]
    local ok, a, b, c = pcall(function()
      if name == "gmatch" then
        local all = {}
        for x in string.gmatch(s, p) do all[#all + 1] = tostring(x) end
        return table.concat(all, ",")
      elseif name == "gsub" then
        return string.gsub(s, p, "<%0>")
      end
      return string[name](s, p, pick(3) - 1)
    end)
    out[#out + 1] = table.concat({ name, s, p, tostring(ok), tostring(a), tostring(b), tostring(c) }, "|")
  end
  return table.concat(out, "\n")
end
)lua";

std::vector<std::string> run_all(lua_State* L, int (*call)(lua_State*, void*), void* ctx) {
  std::vector<std::string> out;
  for (int i = 1;; ++i) {
    lua_getglobal(L, "probe");
    lua_pushinteger(L, i);
    int status = call(L, ctx);
    EXPECT_EQ(status, LUA_OK) << lua_tostring(L, -1);
    if (status != LUA_OK || lua_isnil(L, -1)) break;
    out.push_back(lua_tostring(L, -1));
    lua_pop(L, 1);
  }
  return out;
}

TEST(BoundedPatterns, Patterns_SameResultsAndErrorsAsTheStockLibrary) {
  lua_State* stock = luaL_newstate();
  luaL_openlibs(stock);
  ASSERT_EQ(luaL_loadbuffer(stock, kProbe, std::strlen(kProbe), "=probe"), LUA_OK);
  ASSERT_EQ(lua_pcall(stock, 0, 0, 0), LUA_OK) << lua_tostring(stock, -1);
  auto expected = run_all(
      stock, [](lua_State* L, void*) { return lua_pcall(L, 1, 1, 0); }, nullptr);
  lua_close(stock);

  lua::LuaState sandboxed({10'000'000, 64u * 1024 * 1024});
  lua_State* L = sandboxed.get();
  ASSERT_EQ(sandboxed.load_text(kProbe, "=probe"), LUA_OK);
  ASSERT_EQ(sandboxed.protected_call(0, 0), LUA_OK) << lua_tostring(L, -1);
  auto got = run_all(
      L,
      [](lua_State*, void* state) {
        return static_cast<lua::LuaState*>(state)->protected_call(1, 1);
      },
      &sandboxed);

  ASSERT_GT(expected.size(), 80u);
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(got[i], expected[i]) << "case " << i + 1;
}

TEST(BoundedPatterns, Patterns_SameResultsAsTheStockLibraryOnRandomPatterns) {
  auto fuzz = [](lua_State* L, int (*call)(lua_State*, void*), void* ctx) {
    lua_getglobal(L, "fuzz");
    lua_pushinteger(L, 5000);
    EXPECT_EQ(call(L, ctx), LUA_OK) << lua_tostring(L, -1);
    std::string out = lua_tostring(L, -1);
    lua_pop(L, 1);
    return out;
  };
  lua_State* stock = luaL_newstate();
  luaL_openlibs(stock);
  ASSERT_EQ(luaL_loadbuffer(stock, kProbe, std::strlen(kProbe), "=probe"), LUA_OK);
  ASSERT_EQ(lua_pcall(stock, 0, 0, 0), LUA_OK) << lua_tostring(stock, -1);
  std::string expected = fuzz(
      stock, [](lua_State* L, void*) { return lua_pcall(L, 1, 1, 0); }, nullptr);
  lua_close(stock);

  lua::LuaState sandboxed({100'000'000, 64u * 1024 * 1024});
  ASSERT_EQ(sandboxed.load_text(kProbe, "=probe"), LUA_OK);
  ASSERT_EQ(sandboxed.protected_call(0, 0), LUA_OK);
  std::string got = fuzz(
      sandboxed.get(),
      [](lua_State*, void* state) {
        return static_cast<lua::LuaState*>(state)->protected_call(1, 1);
      },
      &sandboxed);
  std::istringstream want_lines(expected), got_lines(got);
  std::string want_line, got_line;
  int line = 0;
  while (std::getline(want_lines, want_line)) {
    ASSERT_TRUE(std::getline(got_lines, got_line));
    ASSERT_EQ(got_line, want_line) << "call " << ++line;
  }
}

TEST(BoundedPatterns, Patterns_BacktrackingStopsAtTheBudget) {
  lua::LuaState state({100'000, 64u * 1024 * 1024});
  ASSERT_EQ(state.load_text("return string.rep('a', 3000):find('^.-.-.-b')", "=bomb"), LUA_OK);
  ASSERT_EQ(state.protected_call(0, 1), LUA_ERRRUN);
  EXPECT_STREQ(lua_tostring(state.get(), -1),
               "bomb:1: instruction budget exceeded (runaway loop?)");
}

}  // namespace
}  // namespace sluice::test
