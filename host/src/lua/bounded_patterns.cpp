// A matcher written for sluice from the pattern rules of the Lua 5.4
// reference manual (section 6.4.1), with the same results and error
// messages as the stock string library, plus a step count.
#include "lua/bounded_patterns.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "lua/lua_state.hpp"

// Everything here may raise Lua errors (longjmp): plain C-style data only.
namespace sluice::lua {
namespace {

constexpr int kMaxCaptures = 32;  // LUA_MAXCAPTURES
constexpr int kMaxRecursion = 200;
constexpr char kEscape = '%';
constexpr const char* kSpecials = "^$*+?.([%-";
// Steps taken between two looks at the budget (and its clock).
constexpr int64_t kMaxSlice = 1 << 16;
// Bytes a plain search scans per budgeted step.
constexpr int64_t kBytesPerStep = 64;

constexpr ptrdiff_t kUnfinished = -1;  // capture opened, not closed
constexpr ptrdiff_t kPosition = -2;    // "()" capture

struct Capture {
  const char* init;
  ptrdiff_t len;
};

struct Matcher {
  const char* src_init;
  const char* src_end;
  const char* p_end;
  lua_State* L;
  int depth_left;
  int level;  // captures opened so far
  Capture capture[kMaxCaptures];
  int64_t steps;      // taken since the last charge
  int64_t allowance;  // steps allowed before the next charge
};

void charge_steps(Matcher* m) {
  LuaState& state = LuaState::of(m->L);
  state.charge(m->L, m->steps);  // raises once the call is over budget
  m->steps = 0;
  m->allowance = std::clamp<int64_t>(state.steps_left(), 1, kMaxSlice);
}

inline void step(Matcher* m, int64_t n = 1) {
  m->steps += n;
  if (m->steps > m->allowance) charge_steps(m);
}

void prepare(Matcher* m, lua_State* L, const char* s, size_t ls, const char* p, size_t lp) {
  m->L = L;
  m->src_init = s;
  m->src_end = s + ls;
  m->p_end = p + lp;
  m->steps = 0;
  m->allowance = std::clamp<int64_t>(LuaState::of(L).steps_left(), 1, kMaxSlice);
}

void restart(Matcher* m) {
  m->level = 0;
  m->depth_left = kMaxRecursion;
}

int check_capture(Matcher* m, int l) {
  l -= '1';
  if (l < 0 || l >= m->level || m->capture[l].len == kUnfinished)
    return luaL_error(m->L, "invalid capture index %%%d", l + 1);
  return l;
}

int capture_to_close(Matcher* m) {
  for (int level = m->level - 1; level >= 0; level--)
    if (m->capture[level].len == kUnfinished) return level;
  return luaL_error(m->L, "invalid pattern capture");
}

// The end of the single-character class starting at p.
const char* class_end(Matcher* m, const char* p) {
  switch (*p++) {
    case kEscape:
      if (p == m->p_end) luaL_error(m->L, "malformed pattern (ends with '%%')");
      return p + 1;
    case '[':
      if (*p == '^') p++;
      do {  // look for a ']'
        if (p == m->p_end) luaL_error(m->L, "malformed pattern (missing ']')");
        if (*(p++) == kEscape && p < m->p_end) p++;  // skip escapes (e.g. '%]')
      } while (*p != ']');
      return p + 1;
    default:
      return p;
  }
}

bool match_class(int c, int cl) {
  bool res;
  switch (std::tolower(cl)) {
    case 'a':
      res = std::isalpha(c);
      break;
    case 'c':
      res = std::iscntrl(c);
      break;
    case 'd':
      res = std::isdigit(c);
      break;
    case 'g':
      res = std::isgraph(c);
      break;
    case 'l':
      res = std::islower(c);
      break;
    case 'p':
      res = std::ispunct(c);
      break;
    case 's':
      res = std::isspace(c);
      break;
    case 'u':
      res = std::isupper(c);
      break;
    case 'w':
      res = std::isalnum(c);
      break;
    case 'x':
      res = std::isxdigit(c);
      break;
    case 'z':  // deprecated, still accepted by the stock library
      res = (c == 0);
      break;
    default:
      return cl == c;
  }
  return std::isupper(cl) ? !res : res;
}

// p at '[', ec at the closing ']'.
bool match_bracket_class(int c, const char* p, const char* ec) {
  bool sig = true;
  if (*(p + 1) == '^') {
    sig = false;
    p++;
  }
  while (++p < ec) {
    if (*p == kEscape) {
      p++;
      if (match_class(c, static_cast<unsigned char>(*p))) return sig;
    } else if (*(p + 1) == '-' && p + 2 < ec) {
      p += 2;
      if (static_cast<unsigned char>(*(p - 2)) <= c && c <= static_cast<unsigned char>(*p))
        return sig;
    } else if (static_cast<unsigned char>(*p) == c) {
      return sig;
    }
  }
  return !sig;
}

bool single_match(Matcher* m, const char* s, const char* p, const char* ep) {
  if (s >= m->src_end) return false;
  int c = static_cast<unsigned char>(*s);
  switch (*p) {
    case '.':
      return true;
    case kEscape:
      return match_class(c, static_cast<unsigned char>(*(p + 1)));
    case '[':
      return match_bracket_class(c, p, ep - 1);
    default:
      return static_cast<unsigned char>(*p) == c;
  }
}

const char* match(Matcher* m, const char* s, const char* p);

const char* match_balance(Matcher* m, const char* s, const char* p) {
  if (p >= m->p_end - 1) luaL_error(m->L, "malformed pattern (missing arguments to '%%b')");
  if (s >= m->src_end || *s != *p) return nullptr;
  const char* start = s;
  char open = *p, close = *(p + 1);
  int depth = 1;
  while (++s < m->src_end) {
    if (*s == close) {
      if (--depth == 0) {
        step(m, (s - start) / kBytesPerStep);
        return s + 1;
      }
    } else if (*s == open) {
      depth++;
    }
  }
  step(m, (s - start) / kBytesPerStep);
  return nullptr;
}

const char* max_expand(Matcher* m, const char* s, const char* p, const char* ep) {
  ptrdiff_t i = 0;
  while (single_match(m, s + i, p, ep)) i++;
  step(m, i);
  while (i >= 0) {  // try with the longest run, then shorter ones
    if (const char* res = match(m, s + i, ep + 1)) return res;
    i--;
  }
  return nullptr;
}

const char* min_expand(Matcher* m, const char* s, const char* p, const char* ep) {
  for (;;) {
    if (const char* res = match(m, s, ep + 1)) return res;
    if (!single_match(m, s, p, ep)) return nullptr;
    s++;
  }
}

const char* start_capture(Matcher* m, const char* s, const char* p, ptrdiff_t what) {
  int level = m->level;
  if (level >= kMaxCaptures) luaL_error(m->L, "too many captures");
  m->capture[level].init = s;
  m->capture[level].len = what;
  m->level = level + 1;
  const char* res = match(m, s, p);
  if (!res) m->level--;  // undo
  return res;
}

const char* end_capture(Matcher* m, const char* s, const char* p) {
  int l = capture_to_close(m);
  m->capture[l].len = s - m->capture[l].init;
  const char* res = match(m, s, p);
  if (!res) m->capture[l].len = kUnfinished;  // undo
  return res;
}

const char* match_capture(Matcher* m, const char* s, int l) {
  l = check_capture(m, l);
  size_t len = static_cast<size_t>(m->capture[l].len);
  if (static_cast<size_t>(m->src_end - s) >= len && std::memcmp(m->capture[l].init, s, len) == 0) {
    step(m, static_cast<int64_t>(len) / kBytesPerStep);
    return s + len;
  }
  return nullptr;
}

// The end of the match of pattern p at s, or nullptr.
const char* match(Matcher* m, const char* s, const char* p) {
  if (m->depth_left-- == 0) luaL_error(m->L, "pattern too complex");
  for (;;) {
    step(m);
    if (p == m->p_end) break;  // end of pattern
    bool again = false;
    switch (*p) {
      case '(':
        if (*(p + 1) == ')')
          s = start_capture(m, s, p + 2, kPosition);
        else
          s = start_capture(m, s, p + 1, kUnfinished);
        break;
      case ')':
        s = end_capture(m, s, p + 1);
        break;
      case '$':
        if (p + 1 != m->p_end) goto single;  // '$' is literal unless it ends the pattern
        if (s != m->src_end) s = nullptr;
        break;
      case kEscape:
        switch (*(p + 1)) {
          case 'b':
            s = match_balance(m, s, p + 2);
            if (s) {
              p += 4;
              again = true;
            }
            break;
          case 'f': {
            p += 2;
            if (*p != '[') luaL_error(m->L, "missing '[' after '%%f' in pattern");
            const char* ep = class_end(m, p);
            int previous = (s == m->src_init) ? '\0' : static_cast<unsigned char>(*(s - 1));
            // At the subject's end *s is the terminating '\0' Lua keeps.
            int current = static_cast<unsigned char>(*s);
            if (!match_bracket_class(previous, p, ep - 1) &&
                match_bracket_class(current, p, ep - 1)) {
              p = ep;
              again = true;
            } else {
              s = nullptr;
            }
            break;
          }
          case '0':
          case '1':
          case '2':
          case '3':
          case '4':
          case '5':
          case '6':
          case '7':
          case '8':
          case '9':
            s = match_capture(m, s, static_cast<unsigned char>(*(p + 1)));
            if (s) {
              p += 2;
              again = true;
            }
            break;
          default:
            goto single;
        }
        break;
      default:
      single : {
        const char* ep = class_end(m, p);
        if (!single_match(m, s, p, ep)) {
          if (*ep == '*' || *ep == '?' || *ep == '-') {  // accept empty
            p = ep + 1;
            again = true;
          } else {
            s = nullptr;
          }
        } else {
          switch (*ep) {
            case '?': {
              if (const char* res = match(m, s + 1, ep + 1)) {
                s = res;
              } else {
                p = ep + 1;
                again = true;
              }
              break;
            }
            case '+':
              s = max_expand(m, s + 1, p, ep);
              break;
            case '*':
              s = max_expand(m, s, p, ep);
              break;
            case '-':
              s = min_expand(m, s, p, ep);
              break;
            default:
              s++;
              p = ep;
              again = true;
          }
        }
        break;
      }
    }
    if (!again) break;
  }
  m->depth_left++;
  return s;
}

// Pushes capture i (the whole match s..e when there are none); returns its
// length, or kPosition after pushing a position.
ptrdiff_t get_capture(Matcher* m, int i, const char* s, const char* e, const char** cap) {
  if (i >= m->level) {
    if (i != 0) luaL_error(m->L, "invalid capture index %%%d", i + 1);
    *cap = s;
    return e - s;
  }
  ptrdiff_t len = m->capture[i].len;
  *cap = m->capture[i].init;
  if (len == kUnfinished) luaL_error(m->L, "unfinished capture");
  if (len == kPosition) lua_pushinteger(m->L, (m->capture[i].init - m->src_init) + 1);
  return len;
}

void push_capture(Matcher* m, int i, const char* s, const char* e) {
  const char* cap = nullptr;
  ptrdiff_t len = get_capture(m, i, s, e, &cap);
  if (len != kPosition) lua_pushlstring(m->L, cap, static_cast<size_t>(len));
}

int push_captures(Matcher* m, const char* s, const char* e) {
  int n = (m->level == 0 && s) ? 1 : m->level;
  luaL_checkstack(m->L, n, "too many captures");
  for (int i = 0; i < n; i++) push_capture(m, i, s, e);
  return n;
}

bool has_no_specials(const char* p, size_t lp) {
  size_t upto = 0;
  do {  // the pattern may hold '\0's: check each piece
    if (std::strpbrk(p + upto, kSpecials)) return false;
    upto += std::strlen(p + upto) + 1;
  } while (upto <= lp);
  return true;
}

// memmem that charges its scanning.
const char* find_plain(Matcher* m, const char* s1, size_t l1, const char* s2, size_t l2) {
  if (l2 == 0) return s1;
  if (l2 > l1) return nullptr;
  l2--;  // the first character is found by memchr
  l1 -= l2;
  const char* init;
  while (l1 > 0 && (init = static_cast<const char*>(std::memchr(s1, *s2, l1))) != nullptr) {
    init++;
    step(m, 1 + (init - s1) / kBytesPerStep + static_cast<int64_t>(l2) / kBytesPerStep);
    if (std::memcmp(init, s2 + 1, l2) == 0) return init - 1;
    l1 -= static_cast<size_t>(init - s1);
    s1 = init;
  }
  step(m, static_cast<int64_t>(l1) / kBytesPerStep);
  return nullptr;
}

// A relative initial position: negative counts from the end.
size_t start_position(lua_Integer pos, size_t len) {
  if (pos > 0) return static_cast<size_t>(pos);
  if (pos == 0) return 1;
  if (pos < -static_cast<lua_Integer>(len)) return 1;
  return len + static_cast<size_t>(pos) + 1;
}

int find_or_match(lua_State* L, bool find) {
  size_t ls = 0, lp = 0;
  const char* s = luaL_checklstring(L, 1, &ls);
  const char* p = luaL_checklstring(L, 2, &lp);
  size_t init = start_position(luaL_optinteger(L, 3, 1), ls) - 1;
  if (init > ls) {
    luaL_pushfail(L);
    return 1;
  }
  Matcher m;
  prepare(&m, L, s, ls, p, lp);
  if (find && (lua_toboolean(L, 4) || has_no_specials(p, lp))) {
    const char* found = find_plain(&m, s + init, ls - init, p, lp);
    LuaState::of(L).charge(L, m.steps);
    if (found) {
      lua_pushinteger(L, (found - s) + 1);
      lua_pushinteger(L, static_cast<lua_Integer>((found - s) + lp));
      return 2;
    }
  } else {
    const char* s1 = s + init;
    bool anchor = (*p == '^');
    if (anchor) {
      p++;
      lp--;
      m.p_end = p + lp;
    }
    do {
      restart(&m);
      if (const char* e = match(&m, s1, p)) {
        LuaState::of(L).charge(L, m.steps);
        if (find) {
          lua_pushinteger(L, (s1 - s) + 1);
          lua_pushinteger(L, e - s);
          return push_captures(&m, nullptr, nullptr) + 2;
        }
        return push_captures(&m, s1, e);
      }
    } while (s1++ < m.src_end && !anchor);
    LuaState::of(L).charge(L, m.steps);
  }
  luaL_pushfail(L);
  return 1;
}

int str_find(lua_State* L) { return find_or_match(L, true); }
int str_match(lua_State* L) { return find_or_match(L, false); }

struct GmatchState {
  const char* src;
  const char* p;
  const char* last_match;
  Matcher m;
};

int gmatch_next(lua_State* L) {
  auto* g = static_cast<GmatchState*>(lua_touserdata(L, lua_upvalueindex(3)));
  g->m.L = L;  // the iterator may run in another coroutine than gmatch did
  g->m.steps = 0;
  g->m.allowance = std::clamp<int64_t>(LuaState::of(L).steps_left(), 1, kMaxSlice);
  for (const char* src = g->src; src <= g->m.src_end; src++) {
    restart(&g->m);
    const char* e = match(&g->m, src, g->p);
    if (e && e != g->last_match) {
      g->src = g->last_match = e;
      LuaState::of(L).charge(L, g->m.steps);
      return push_captures(&g->m, src, e);
    }
  }
  LuaState::of(L).charge(L, g->m.steps);
  return 0;
}

int str_gmatch(lua_State* L) {
  size_t ls = 0, lp = 0;
  const char* s = luaL_checklstring(L, 1, &ls);
  const char* p = luaL_checklstring(L, 2, &lp);
  size_t init = start_position(luaL_optinteger(L, 3, 1), ls) - 1;
  lua_settop(L, 2);  // the subject and pattern stay alive as upvalues
  auto* g = static_cast<GmatchState*>(lua_newuserdatauv(L, sizeof(GmatchState), 0));
  if (init > ls) init = ls + 1;  // start past the end: no match
  prepare(&g->m, L, s, ls, p, lp);
  g->src = s + init;
  g->p = p;
  g->last_match = nullptr;
  lua_pushcclosure(L, gmatch_next, 3);
  return 1;
}

// Appends the replacement string (argument 3) with its %0-%9 and %%.
void add_replacement_string(Matcher* m, luaL_Buffer* b, const char* s, const char* e) {
  lua_State* L = m->L;
  size_t l = 0;
  const char* news = lua_tolstring(L, 3, &l);
  const char* p;
  while ((p = static_cast<const char*>(std::memchr(news, kEscape, l))) != nullptr) {
    luaL_addlstring(b, news, static_cast<size_t>(p - news));
    p++;  // skip the escape
    if (*p == kEscape) {
      luaL_addchar(b, *p);
    } else if (*p == '0') {
      luaL_addlstring(b, s, static_cast<size_t>(e - s));
    } else if (std::isdigit(static_cast<unsigned char>(*p))) {
      const char* cap = nullptr;
      ptrdiff_t len = get_capture(m, *p - '1', s, e, &cap);
      if (len == kPosition)
        luaL_addvalue(b);  // the position pushed by get_capture
      else
        luaL_addlstring(b, cap, static_cast<size_t>(len));
    } else {
      luaL_error(L, "invalid use of '%c' in replacement string", kEscape);
    }
    l -= static_cast<size_t>(p + 1 - news);
    news = p + 1;
  }
  luaL_addlstring(b, news, l);
}

// Appends the replacement for the match s..e; false when it kept the
// original text.
bool add_value(Matcher* m, luaL_Buffer* b, const char* s, const char* e, int type) {
  lua_State* L = m->L;
  switch (type) {
    case LUA_TFUNCTION: {
      // The function charges its own instructions: settle ours first.
      charge_steps(m);
      lua_pushvalue(L, 3);
      int n = push_captures(m, s, e);
      lua_call(L, n, 1);
      m->allowance = std::clamp<int64_t>(LuaState::of(L).steps_left(), 1, kMaxSlice);
      break;
    }
    case LUA_TTABLE:
      push_capture(m, 0, s, e);
      lua_gettable(L, 3);
      break;
    default:
      add_replacement_string(m, b, s, e);
      return true;
  }
  if (!lua_toboolean(L, -1)) {  // nil or false: keep the original text
    lua_pop(L, 1);
    luaL_addlstring(b, s, static_cast<size_t>(e - s));
    return false;
  }
  if (!lua_isstring(L, -1)) luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
  luaL_addvalue(b);
  return true;
}

int str_gsub(lua_State* L) {
  size_t srcl = 0, lp = 0;
  const char* src = luaL_checklstring(L, 1, &srcl);
  const char* p = luaL_checklstring(L, 2, &lp);
  const char* last_match = nullptr;
  int type = lua_type(L, 3);
  lua_Integer max_n = luaL_optinteger(L, 4, static_cast<lua_Integer>(srcl) + 1);
  bool anchor = (*p == '^');
  lua_Integer n = 0;
  bool changed = false;
  luaL_argexpected(
      L, type == LUA_TNUMBER || type == LUA_TSTRING || type == LUA_TFUNCTION || type == LUA_TTABLE,
      3, "string/function/table");
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  if (anchor) {
    p++;
    lp--;
  }
  Matcher m;
  prepare(&m, L, src, srcl, p, lp);
  while (n < max_n) {
    restart(&m);
    const char* e = match(&m, src, p);
    if (e && e != last_match) {  // a match (not the empty one right after the last)
      n++;
      changed = add_value(&m, &b, src, e, type) || changed;
      src = last_match = e;
    } else if (src < m.src_end) {
      luaL_addchar(&b, *src++);
    } else {
      break;
    }
    if (anchor) break;
  }
  LuaState::of(L).charge(L, m.steps);
  if (!changed) {
    lua_pushvalue(L, 1);  // the subject itself
  } else {
    luaL_addlstring(&b, src, static_cast<size_t>(m.src_end - src));
    luaL_pushresult(&b);
  }
  lua_pushinteger(L, n);
  return 2;
}

}  // namespace

void install_bounded_patterns(lua_State* L) {
  static const luaL_Reg kFunctions[] = {{"find", str_find},
                                        {"match", str_match},
                                        {"gmatch", str_gmatch},
                                        {"gsub", str_gsub},
                                        {nullptr, nullptr}};
  lua_getglobal(L, LUA_STRLIBNAME);
  luaL_setfuncs(L, kFunctions, 0);
  lua_pop(L, 1);
}

}  // namespace sluice::lua
