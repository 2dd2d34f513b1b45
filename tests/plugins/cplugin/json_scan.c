#include "json_scan.h"

#include <string.h>

const char* json_skip_ws(const char* p) {
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') ++p;
  return p;
}

json_kind json_kind_of(const char* p) {
  p = json_skip_ws(p);
  switch (*p) {
    case '"':
      return JSON_STRING;
    case '{':
      return JSON_OBJECT;
    case '[':
      return JSON_ARRAY;
    case 't':
      return JSON_TRUE;
    case 'f':
      return JSON_FALSE;
    case 'n':
      return JSON_NULL;
    default:
      if (*p == '-' || (*p >= '0' && *p <= '9')) return JSON_NUMBER;
      return JSON_INVALID;
  }
}

const char* json_read_string(const char* p, char* out, size_t cap) {
  size_t n = 0;
  p = json_skip_ws(p);
  if (*p != '"') return NULL;
  ++p;
  while (*p && *p != '"') {
    char c = *p++;
    if (c == '\\') {
      char e = *p++;
      switch (e) {
        case '"':
          c = '"';
          break;
        case '\\':
          c = '\\';
          break;
        case '/':
          c = '/';
          break;
        case 'n':
          c = '\n';
          break;
        case 't':
          c = '\t';
          break;
        case 'r':
          c = '\r';
          break;
        case 'b':
          c = '\b';
          break;
        case 'f':
          c = '\f';
          break;
        case 'u': {
          /* Settings of this plugin are paths and words: keep ASCII, mark
           * anything else. */
          unsigned v = 0;
          int i;
          for (i = 0; i < 4; ++i) {
            char h = *p++;
            v <<= 4;
            if (h >= '0' && h <= '9')
              v |= (unsigned)(h - '0');
            else if (h >= 'a' && h <= 'f')
              v |= (unsigned)(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F')
              v |= (unsigned)(h - 'A' + 10);
            else
              return NULL;
          }
          c = v < 0x80 ? (char)v : '?';
          break;
        }
        default:
          return NULL;
      }
    }
    if (out && n + 1 < cap) out[n++] = c;
  }
  if (*p != '"') return NULL;
  if (out && cap) out[n] = '\0';
  return p + 1;
}

static const char* skip_literal(const char* p, const char* word) {
  size_t n = strlen(word);
  return strncmp(p, word, n) == 0 ? p + n : NULL;
}

const char* json_skip_value(const char* p) {
  p = json_skip_ws(p);
  switch (json_kind_of(p)) {
    case JSON_STRING:
      return json_read_string(p, NULL, 0);
    case JSON_TRUE:
      return skip_literal(p, "true");
    case JSON_FALSE:
      return skip_literal(p, "false");
    case JSON_NULL:
      return skip_literal(p, "null");
    case JSON_NUMBER:
      if (*p == '-') ++p;
      if (!(*p >= '0' && *p <= '9')) return NULL;
      while ((*p >= '0' && *p <= '9') || *p == '.' || *p == 'e' || *p == 'E' || *p == '+' ||
             *p == '-')
        ++p;
      return p;
    case JSON_OBJECT: {
      json_object_iter it;
      char key[8];
      int r;
      json_object_begin(&it, p);
      while ((r = json_object_next(&it, key, sizeof key)) == 1) {
      }
      return r == 0 ? it.pos : NULL;
    }
    case JSON_ARRAY:
      p = json_skip_ws(p + 1);
      if (*p == ']') return p + 1;
      while (1) {
        p = json_skip_value(p);
        if (!p) return NULL;
        p = json_skip_ws(p);
        if (*p == ']') return p + 1;
        if (*p != ',') return NULL;
        ++p;
      }
    default:
      return NULL;
  }
}

void json_object_begin(json_object_iter* it, const char* text) {
  it->pos = json_skip_ws(text);
  it->value = NULL;
  it->started = 0;
}

int json_object_next(json_object_iter* it, char* key, size_t key_cap) {
  const char* p = it->pos;
  if (!p) return -1;
  if (!it->started) {
    if (*p != '{') return -1;
    it->started = 1;
    p = json_skip_ws(p + 1);
    if (*p == '}') {
      it->pos = p + 1;
      return 0;
    }
  } else {
    p = json_skip_value(it->value);
    if (!p) return -1;
    p = json_skip_ws(p);
    if (*p == '}') {
      it->pos = p + 1;
      return 0;
    }
    if (*p != ',') return -1;
    p = json_skip_ws(p + 1);
  }
  p = json_read_string(p, key, key_cap);
  if (!p) return -1;
  p = json_skip_ws(p);
  if (*p != ':') return -1;
  it->value = json_skip_ws(p + 1);
  it->pos = it->value;
  return 1;
}
