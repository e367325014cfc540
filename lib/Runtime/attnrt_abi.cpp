//===- attnrt_abi.cpp - the runtime describes its own interface -----------===//
//
// attnrt_status_name and attnrt_abi_json: the statuses and struct layouts of
// attnrt_abi.def, as the compiler laid them out, for bindings that mirror
// them (the Python package builds its ctypes structs from the JSON).
//
//===----------------------------------------------------------------------===//

#include "attn/Runtime/attnrt_abi.h"

#include <cstring>
#include <string>

using namespace attnrt::abi;

namespace {

/// {"key": value, ...} of `list`, keyed by C name or by text.
template <size_t N>
std::string enumJson(const Enumerator (&list)[N], bool byText) {
  std::string json = "{";
  for (size_t i = 0; i < N; ++i)
    json += std::string(i ? ", " : "") + "\"" +
            (byText ? list[i].text : list[i].name) +
            "\": " + std::to_string(list[i].value);
  return json + "}";
}

/// {"size": .., "align": .., "fields": [...]} of struct `s`.
std::string structJson(const Struct &s) {
  std::string json = "{\"size\": " + std::to_string(s.size) +
                     ", \"align\": " + std::to_string(s.align) +
                     ", \"fields\": [";
  bool first = true;
  for (const Field &f : kFields) {
    if (std::strcmp(f.structName, s.name))
      continue;
    json += std::string(first ? "" : ", ") + "{\"name\": \"" + f.name +
            "\", \"kind\": \"" + f.kind +
            "\", \"count\": " + std::to_string(f.count) +
            ", \"offset\": " + std::to_string(f.offset) + "}";
    first = false;
  }
  return json + "]}";
}

std::string abiJson() {
  std::string json =
      "{\"version\": " + std::to_string(ATTNRT_ABI_VERSION) +
      ", \"status\": " + enumJson(kStatuses, /*byText=*/false) +
      ", \"dtype\": " + enumJson(kDtypes, /*byText=*/true) +
      ", \"feature_map\": " + enumJson(kFeatureMaps, /*byText=*/true) +
      ", \"table_kind\": " + enumJson(kTableKinds, /*byText=*/true) +
      ", \"structs\": {";
  for (size_t i = 0; i < std::size(kStructs); ++i)
    json += std::string(i ? ", " : "") + "\"" + kStructs[i].name +
            "\": " + structJson(kStructs[i]);
  return json + "}}";
}

} // namespace

extern "C" {

const char *attnrt_status_name(int status) {
  for (const Enumerator &e : kStatuses)
    if (e.value == status)
      return e.name;
  return "";
}

const char *attnrt_abi_json(void) {
  static const std::string json = abiJson();
  return json.c_str();
}

} // extern "C"
