/*
 * The optional native accelerator (loaded by src/core/native.ts through
 * node-gyp-build; everything works without it). Two searches over a Buffer
 * where it lies, so that bytes read into a fresh Buffer (TLS records, the
 * sockets of a server) need not be copied into wasm memory to be scanned:
 *
 *   scanBody(input, from, needle)  the first position at or after `from`
 *     where the end-line `needle flag CRLF` begins (RFC 4975 §7.1, §9:
 *     needle = CRLF "-------" transact-id, flag one of + $ #), or where input
 *     ends inside such a match; input.length when there is none. It is the
 *     boundary scan of assembly/framing.ts body() and assembly/scan.ts, on
 *     the caller's memory: the octets before the result are body.
 *
 *   indexOfNeedle(haystack, needle)  Buffer.indexOf for the sender's check
 *     that a body does not hold its chunk's end-line (RFC 4975 §7.1), with a
 *     two-octet SIMD filter instead of Boyer-Moore-Horspool.
 *
 * The filters test two octets a fixed distance apart, 32 positions per step
 * with AVX2 where the CPU has it (checked at run time), 16 with SSE2 on any
 * x86-64, one at a time elsewhere; each hit is then verified octet by octet.
 */
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define MSRP_X86 1
#endif

#define CR 0x0d
#define LF 0x0a

typedef size_t (*filter_fn)(const uint8_t *in, size_t p, size_t len, uint8_t a, uint8_t b, size_t gap);

/* The first p in [p, len - gap) with in[p] == a and in[p + gap] == b, else len - gap (or len when shorter). */
static size_t filter_scalar(const uint8_t *in, size_t p, size_t len, uint8_t a, uint8_t b, size_t gap) {
  if (len <= gap) return len;
  for (; p + gap < len; p++) {
    if (in[p] == a && in[p + gap] == b) return p;
  }
  return len - gap;
}

#ifdef MSRP_X86
static size_t filter_sse2(const uint8_t *in, size_t p, size_t len, uint8_t a, uint8_t b, size_t gap) {
  if (len <= gap) return len;
  const __m128i va = _mm_set1_epi8((char)a);
  const __m128i vb = _mm_set1_epi8((char)b);
  while (p + gap + 16 <= len) {
    __m128i x = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(in + p)), va);
    __m128i y = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(in + p + gap)), vb);
    unsigned mask = (unsigned)_mm_movemask_epi8(_mm_and_si128(x, y));
    if (mask != 0) return p + (size_t)__builtin_ctz(mask);
    p += 16;
  }
  return filter_scalar(in, p, len, a, b, gap);
}

__attribute__((target("avx2"))) static size_t filter_avx2(const uint8_t *in, size_t p, size_t len, uint8_t a, uint8_t b,
                                                          size_t gap) {
  if (len <= gap) return len;
  const __m256i va = _mm256_set1_epi8((char)a);
  const __m256i vb = _mm256_set1_epi8((char)b);
  while (p + gap + 64 <= len) {
    __m256i x0 = _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(in + p)), va);
    __m256i y0 = _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(in + p + gap)), vb);
    __m256i x1 = _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(in + p + 32)), va);
    __m256i y1 = _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(in + p + 32 + gap)), vb);
    __m256i m0 = _mm256_and_si256(x0, y0);
    __m256i m1 = _mm256_and_si256(x1, y1);
    if (!_mm256_testz_si256(_mm256_or_si256(m0, m1), _mm256_or_si256(m0, m1))) {
      uint64_t bits = (uint64_t)(uint32_t)_mm256_movemask_epi8(m0) | ((uint64_t)(uint32_t)_mm256_movemask_epi8(m1) << 32);
      return p + (size_t)__builtin_ctzll(bits);
    }
    p += 64;
  }
  return filter_sse2(in, p, len, a, b, gap);
}
#endif

static filter_fn filter = filter_scalar;

static void choose_filter(void) {
#ifdef MSRP_X86
  __builtin_cpu_init();
  filter = __builtin_cpu_supports("avx2") ? filter_avx2 : filter_sse2;
#endif
}

/*
 * Whether `needle flag CRLF` starts at c: 1 yes, 0 no, -1 the input ends
 * first and every octet up to there matches.
 */
static int end_line_at(const uint8_t *in, size_t c, size_t len, const uint8_t *needle, size_t n) {
  size_t k = 0;
  for (; k < n; k++) {
    if (c + k >= len) return -1;
    if (in[c + k] != needle[k]) return 0;
  }
  if (c + n >= len) return -1;
  uint8_t flag = in[c + n];
  if (flag != '+' && flag != '$' && flag != '#') return 0;
  if (c + n + 1 >= len) return -1;
  if (in[c + n + 1] != CR) return 0;
  if (c + n + 2 >= len) return -1;
  return in[c + n + 2] == LF ? 1 : 0;
}

static size_t scan_body(const uint8_t *in, size_t from, size_t len, const uint8_t *needle, size_t n) {
  size_t p = from;
  while (p < len) {
    /* CR with the needle's last dash eight octets on (the filter of assembly/scan.ts nextCandidate) */
    size_t c = filter(in, p, len, CR, '-', 8);
    if (c + 8 >= len) {
      /* no hit before the last eight octets, where any CR may begin a cut end-line */
      size_t t = len > 8 ? len - 8 : 0;
      for (c = t > p ? t : p; c < len; c++) {
        if (in[c] == CR && end_line_at(in, c, len, needle, n) != 0) return c;
      }
      return len;
    }
    if (end_line_at(in, c, len, needle, n) != 0) return c;
    p = c + 1;
  }
  return len;
}

static size_t index_of(const uint8_t *h, size_t len, const uint8_t *needle, size_t n) {
  if (n == 0) return 0;
  if (n > len) return SIZE_MAX;
  size_t p = 0;
  while (p + n <= len) {
    size_t c = n == 1 ? filter_scalar(h, p, len, needle[0], needle[0], 0) : filter(h, p, len, needle[0], needle[n - 1], n - 1);
    if (c + n > len) return SIZE_MAX;
    if (memcmp(h + c, needle, n) == 0) return c;
    p = c + 1;
  }
  return SIZE_MAX;
}

static napi_value throw_type(napi_env env, const char *message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

static int buffer_arg(napi_env env, napi_value value, const uint8_t **data, size_t *length) {
  bool is_buffer = false;
  if (napi_is_buffer(env, value, &is_buffer) != napi_ok || !is_buffer) return 0;
  void *raw = NULL;
  if (napi_get_buffer_info(env, value, &raw, length) != napi_ok) return 0;
  *data = (const uint8_t *)raw;
  return 1;
}

static napi_value js_scan_body(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  const uint8_t *in = NULL, *needle = NULL;
  size_t len = 0, n = 0;
  double from = 0;
  if (argc < 3 || !buffer_arg(env, argv[0], &in, &len) || napi_get_value_double(env, argv[1], &from) != napi_ok ||
      !buffer_arg(env, argv[2], &needle, &n)) {
    return throw_type(env, "scanBody(input: Buffer, from: number, needle: Buffer)");
  }
  if (n == 0) return throw_type(env, "scanBody: the needle is empty");
  size_t start = from <= 0 ? 0 : from >= (double)len ? len : (size_t)from;
  napi_value result;
  napi_create_double(env, (double)scan_body(in, start, len, needle, n), &result);
  return result;
}

static napi_value js_index_of_needle(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  const uint8_t *h = NULL, *needle = NULL;
  size_t len = 0, n = 0;
  if (argc < 2 || !buffer_arg(env, argv[0], &h, &len) || !buffer_arg(env, argv[1], &needle, &n)) {
    return throw_type(env, "indexOfNeedle(haystack: Buffer, needle: Buffer)");
  }
  size_t at = index_of(h, len, needle, n);
  napi_value result;
  napi_create_double(env, at == SIZE_MAX ? -1.0 : (double)at, &result);
  return result;
}

static napi_value js_filter_name(napi_env env, napi_callback_info info) {
  (void)info;
  const char *name = "scalar";
#ifdef MSRP_X86
  name = filter == filter_avx2 ? "avx2" : "sse2";
#endif
  napi_value result;
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &result);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  choose_filter();
  napi_property_descriptor props[] = {
    {"scanBody", NULL, js_scan_body, NULL, NULL, NULL, napi_default, NULL},
    {"indexOfNeedle", NULL, js_index_of_needle, NULL, NULL, NULL, napi_default, NULL},
    {"simd", NULL, js_filter_name, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
