//===- attnrt_abi.h - attnrt's structs as a table ---------------*- C++ -*-===//
//
// The fields of attnrt's structs (attnrt_abi.def) as constexpr data, with
// their offsets: what libattnrt's attnrt_abi_json() prints and what
// attn-kernelgen writes the generated headers' initialisers from. C++ only;
// C sees the structs themselves (attnrt.h).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_ATTNRT_ABI_H
#define ATTN_RUNTIME_ATTNRT_ABI_H

#include "attn/Runtime/attnrt.h"

#include <cstddef>
#include <cstdint>

namespace attnrt::abi {

/// One field of a struct: its binding kind (attnrt_abi.def), element count
/// (1 for a scalar) and byte offset.
struct Field {
  const char *structName, *name, *kind;
  int64_t count;
  size_t offset;
};

/// One struct: its size and alignment in bytes.
struct Struct {
  const char *name;
  size_t size, align;
};

/// One enumerator: its C name, value and text (a status's meaning, a
/// dtype's spelling in manifests).
struct Enumerator {
  const char *name;
  int value;
  const char *text;
};

inline constexpr Field kFields[] = {
#define ATTNRT_FIELD(s, type, name, kind)                                      \
  {#s, #name, #kind, 1, offsetof(s, name)},
#define ATTNRT_ARRAY(s, type, name, count, kind)                               \
  {#s, #name, #kind, count, offsetof(s, name)},
#include "attn/Runtime/attnrt_abi.def"
};

inline constexpr Struct kStructs[] = {
#define ATTNRT_STRUCT_BEGIN(s) {#s, sizeof(s), alignof(s)},
#include "attn/Runtime/attnrt_abi.def"
};

inline constexpr Enumerator kStatuses[] = {
#define ATTNRT_STATUS(name, value, meaning) {#name, value, meaning},
#include "attn/Runtime/attnrt_abi.def"
};

inline constexpr Enumerator kDtypes[] = {
#define ATTNRT_DTYPE(name, value, spelling) {#name, value, spelling},
#include "attn/Runtime/attnrt_abi.def"
};

inline constexpr Enumerator kFeatureMaps[] = {
#define ATTNRT_FEATURE_MAP(name, value, spelling) {#name, value, spelling},
#include "attn/Runtime/attnrt_abi.def"
};

inline constexpr Enumerator kTableKinds[] = {
#define ATTNRT_TABLE_KIND(name, value, spelling) {#name, value, spelling},
#include "attn/Runtime/attnrt_abi.def"
};

} // namespace attnrt::abi

#endif // ATTN_RUNTIME_ATTNRT_ABI_H
