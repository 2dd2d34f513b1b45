// The message userdata on its own (no runtime): msg:get read by scanning
// gives what the parsed document gives, msg:set and msg:with_payload work
// on copies.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "lua/json_bridge.hpp"
#include "lua/lua_state.hpp"
#include "lua/message_api.hpp"

namespace sluice::lua {
namespace {

message::EnvelopePtr envelope(std::string payload) {
  auto e = std::make_shared<message::Envelope>();
  e->payload = std::move(payload);
  e->subject = "tracking.data";
  e->key = "dev-1";
  e->headers = {{"trace", "t-1"}};
  e->timestamp_ms = 1234;
  return e;
}

class MessageApi : public ::testing::Test {
 protected:
  void SetUp() override {
    register_message_type(L());
    lua_pushcfunction(L(), [](lua_State* s) {
      push_json_module(s);
      return 1;
    });
    lua_call(L(), 0, 1);
    lua_setglobal(L(), "json");
  }
  lua_State* L() { return state_.get(); }

  // Makes `name` a message over `e` (a global) and returns its box.
  MessageBox* bind(const char* name, message::EnvelopePtr e) {
    MessageBox* box = push_message(L(), std::move(e));
    lua_setglobal(L(), name);
    return box;
  }

  // Runs `code`; returns its first result as a string (tostring), or the
  // error prefixed "error: ".
  std::string run(const std::string& code) {
    if (luaL_loadstring(L(), code.c_str()) != LUA_OK || lua_pcall(L(), 0, 1, 0) != LUA_OK) {
      std::string e = std::string("error: ") + lua_tostring(L(), -1);
      lua_pop(L(), 1);
      return e;
    }
    size_t len = 0;
    const char* s = luaL_tolstring(L(), -1, &len);
    std::string out(s, len);
    lua_pop(L(), 2);
    return out;
  }

  LuaState state_{StateLimits{}};
};

// A Lua function that describes a value exactly: type, math.type of
// numbers (integer or float), %.17g of floats, tables with sorted keys.
constexpr const char* kDescribe = R"(
local function describe(v)
  local t = type(v)
  if t == "number" then
    if math.type(v) == "integer" then return "i:" .. tostring(v) end
    return "f:" .. string.format("%.17g", v)
  elseif t == "string" then return "s:" .. string.format("%q", v)
  elseif t == "table" then
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    local parts = {}
    for _, k in ipairs(keys) do parts[#parts + 1] = tostring(k) .. "=" .. describe(v[k]) end
    return "{" .. table.concat(parts, ",") .. "}"
  elseif v == json.null then return "null"
  end
  return t .. ":" .. tostring(v)
end
)";

struct ParityCase {
  const char* payload;
  std::vector<std::pair<const char*, const char*>> expected;  // path -> describe()
  bool lenient = false;  // paths JsonPath refuses: looked up in the document
};

TEST_F(MessageApi, Get_ScanningGivesWhatTheDocumentGives) {
  const std::vector<ParityCase> cases = {
      {R"({"s":"plain","e":"tab\tquote\" uni\u00e9 \ud83d\ude00 slash\/","k\"ey":1})",
       {{"s", R"(s:"plain")"},
        {"e", "s:\"tab\\9quote\\\" uni\xC3\xA9 \xF0\x9F\x98\x80 slash/\""},
        {"nope", "nil:nil"}}},
      {R"({"n":{"i":42,"neg":-7,"z":0,"nz":-0,"f":12.5,"e":1e3,"E":2.5E-3,"big":12345678901234567890,)"
       R"("huge":1e400,"i64max":9223372036854775807,"i64min":-9223372036854775808,"f0":1.0}})",
       {{"n.i", "i:42"},
        {"n.neg", "i:-7"},
        {"n.z", "i:0"},
        {"n.nz", "i:0"},
        {"n.f", "f:12.5"},
        {"n.e", "f:1000"},
        {"n.E", "f:0.0025000000000000001"},
        {"n.big", "f:1.2345678901234567e+19"},
        {"n.huge", "f:inf"},
        {"n.i64max", "i:9223372036854775807"},
        {"n.i64min", "i:-9223372036854775808"},
        {"n.f0", "f:1"}}},
      {R"({"a":[[1,2],[3,[4,{"x":null}]]],"t":true,"f":false,"nul":null})",
       {{"a[1][1][1].x", "nil:nil"},
        {"a[1][1]", "{1=i:4,2={x=null}}"},
        {"a[0]", "{1=i:1,2=i:2}"},
        {"a[5]", "nil:nil"},
        {"t", "boolean:true"},
        {"f", "boolean:false"},
        {"nul", "nil:nil"},
        {"t.x", "nil:nil"}}},
      {R"({"d":1,"d":{"x":"second"},"o":{"k":1,"k":2}})",
       {{"d.x", R"(s:"second")"}, {"o", "{k=i:2}"}, {"o.k", "i:2"}}},
      {R"(  [ {"id":"first"} , {"id":"second"} ]  )",
       {{"[1].id", R"(s:"second")"}, {"", "{1={id=s:\"first\"},2={id=s:\"second\"}}"}}},
      // Paths JsonPath refuses still answer as before (the lenient lookup).
      {R"({"a":{"b":"x"}})", {{"a..b", R"(s:"x")"}, {"a.", R"({b=s:"x"})"}}, true},
      {"not json", {{"a", "nil:nil"}}},
      {R"({"a":1} trailing)", {{"a", "nil:nil"}}},
  };
  ASSERT_EQ(run(std::string(kDescribe) + " _G.describe = describe"), "nil");
  for (const auto& c : cases) {
    for (const auto& [path, expected] : c.expected) {
      auto scanned = envelope(c.payload);
      auto parsed = envelope(c.payload);
      parsed->json();  // the document exists: msg:get reads it
      bind("scanned", scanned);
      bind("parsed", parsed);
      std::string p = boost::json::serialize(boost::json::string(path));
      EXPECT_EQ(run("return describe(scanned:get(" + p + "))"), expected)
          << c.payload << " " << path;
      EXPECT_EQ(run("return describe(parsed:get(" + p + "))"), expected)
          << c.payload << " " << path;
      EXPECT_EQ(scanned->json_parsed(), c.lenient) << "msg:get and the document for " << path;
    }
  }
}

TEST_F(MessageApi, Get_ReadsManyPathsOfOneMessageAndBoundsTheCache) {
  auto e = envelope(R"({"a":{"b":[10,20,30]},"c":"x"})");
  bind("msg", e);
  EXPECT_EQ(run(R"(
    local out = {}
    for i = 1, 400 do  -- more distinct paths than the cache keeps
      out[#out + 1] = tostring(msg:get("a.b[" .. (i % 3) .. "]")) .. tostring(msg:get("n" .. i))
    end
    return out[1] .. out[2] .. out[3] .. out[400] .. msg:get("c"))"),
            "20nil30nil10nil20nilx");
  EXPECT_FALSE(e->json_parsed());
}

TEST_F(MessageApi, Set_ChangesACopyAndChains) {
  auto original = envelope(R"({"data":{"SPEED":"12.50","ID":"d1"},"drop":1})");
  MessageBox* box = bind("msg", original);
  EXPECT_EQ(run(R"(
    local same = msg:set("data.SPEED", 13.5):set("meta.route.by", "lua"):set("drop", nil)
    assert(same == msg)
    return msg:get("data.SPEED") .. "|" .. msg:get("meta.route.by") .. "|" .. tostring(msg:get("drop")))"),
            "13.5|lua|nil");
  EXPECT_EQ(box->envelope->payload,
            R"({"data":{"SPEED":13.5,"ID":"d1"},"meta":{"route":{"by":"lua"}}})");
  // The envelope other routes hold is untouched.
  EXPECT_NE(box->envelope, original);
  EXPECT_EQ(original->payload, R"({"data":{"SPEED":"12.50","ID":"d1"},"drop":1})");
  // Subject, key, headers and timestamp came along.
  EXPECT_EQ(run("return msg.subject .. msg.key .. msg:header('trace') .. msg.timestamp"),
            "tracking.datadev-1t-11234");
}

TEST_F(MessageApi, Set_CopiesOnlyOnceWhileNoOneElseHoldsTheCopy) {
  MessageBox* box = bind("msg", envelope(R"({"n":0})"));
  ASSERT_EQ(run("msg:set('n', 1)"), "nil");
  message::Envelope* first_copy = box->envelope.get();
  ASSERT_EQ(run("msg:set('n', 2)"), "nil");
  EXPECT_EQ(box->envelope.get(), first_copy);
  // Shared again (sluice.publish hands it to an output): the next set copies.
  message::EnvelopePtr published = box->envelope;
  box->shared = true;
  ASSERT_EQ(run("msg:set('n', 3)"), "nil");
  EXPECT_EQ(published->payload, R"({"n":2})");
  EXPECT_EQ(box->envelope->payload, R"({"n":3})");
}

TEST_F(MessageApi, Set_TablesNullAndArrays) {
  MessageBox* box = bind("msg", envelope(R"({"list":[1,2]})"));
  ASSERT_EQ(run("msg:set('obj', { a = { 1, 2 } }):set('list[2]', 3):set('list[0]', json.null)"),
            "nil");
  EXPECT_EQ(box->envelope->payload, R"({"list":[null,2,3],"obj":{"a":[1,2]}})");
}

TEST_F(MessageApi, Set_ErrorsSayWhatIsWrong) {
  MessageBox* text = bind("text", envelope("plain text"));
  EXPECT_EQ(run("text:set('a', 1)")
                .rfind("error: [string \"text:set('a', 1)\"]:1: "
                       "msg:set(\"a\"): payload is not JSON: ",
                       0),
            0u)
      << run("text:set('a', 1)");
  EXPECT_EQ(text->envelope->payload, "plain text");
  bind("msg", envelope(R"({"data":"x"})"));
  EXPECT_EQ(run("msg:set('data.y', 1)"),
            "error: [string \"msg:set('data.y', 1)\"]:1: msg:set(\"data.y\"): data is a string, "
            "not an object");
  EXPECT_EQ(run("msg:set('a..b', 1)"),
            "error: [string \"msg:set('a..b', 1)\"]:1: msg:set(\"a..b\"): path 'a..b': empty "
            "name between separators");
  EXPECT_NE(run("msg:set('a')").find("bad argument #2"), std::string::npos);  // value required
  EXPECT_NE(run("msg.payload = 'x'").find("msg:set(path, value)"), std::string::npos);
}

// Methods check their receiver by the message metatable itself: another
// userdata or table, even one that borrowed the methods, is refused.
TEST_F(MessageApi, MethodsRefuseWhatIsNotAMessage) {
  bind("msg", envelope(R"({"a":1})"));
  EXPECT_EQ(run("return msg:get('a')"), "1");
  EXPECT_NE(run("return msg.get(42, 'a')")
                .find("bad argument #1 to 'get' (sluice.message "
                      "expected, got number)"),
            std::string::npos)
      << run("return msg.get(42, 'a')");
  EXPECT_NE(run("return msg.get({}, 'a')").find("sluice.message expected, got table"),
            std::string::npos);
  EXPECT_NE(run("return msg.get(json.null, 'a')").find("sluice.message expected"),
            std::string::npos);  // a light userdata
  // A full userdata of the same size, with a metatable of its own.
  lua_newuserdatauv(L(), sizeof(MessageBox), 0);
  luaL_newmetatable(L(), "not.a.message");
  lua_setmetatable(L(), -2);
  lua_setglobal(L(), "other");
  EXPECT_NE(run("return msg.get(other, 'a')").find("sluice.message expected, got not.a.message"),
            std::string::npos)
      << run("return msg.get(other, 'a')");
  EXPECT_EQ(run("return tostring(msg)"), "message (subject tracking.data, 7 bytes)");
}

TEST_F(MessageApi, WithPayload_MakesANewMessageWithTheSameEnvelopeFields) {
  auto original = envelope(R"({"a":1})");
  MessageBox* box = bind("msg", original);
  EXPECT_EQ(run(R"(
    local t = msg:with_payload({ b = 2 })
    local s = msg:with_payload("raw text")
    _G.t = t
    return t.payload .. "|" .. s.payload .. "|" .. tostring(t:get("b")) .. "|" .. t.subject ..
           "|" .. t.key .. "|" .. t:header("trace") .. "|" .. t.timestamp .. "|" .. msg.payload)"),
            R"({"b":2}|raw text|2|tracking.data|dev-1|t-1|1234|{"a":1})");
  EXPECT_EQ(box->envelope, original);
  // The new message is its own: msg:set on it changes it in place.
  EXPECT_EQ(run("return t:set('c', 3).payload"), R"({"b":2,"c":3})");
  EXPECT_NE(run("msg:with_payload(5)").find("bad argument #1"), std::string::npos);
}

}  // namespace
}  // namespace sluice::lua
