/* Force-included into every file of the sanitizer build (ATTN_SANITIZE).
 *
 * LLVM and MLIR are Debian's libMLIR.so, not built with AddressSanitizer.
 * Their allocators (llvm::BumpPtrAllocator behind MLIR's attribute and type
 * uniquer) are header templates: inlined into attn's instrumented code they
 * poison each new slab and unpoison what they hand out, while the same
 * allocator's code inside libMLIR.so hands out memory of that slab without
 * unpoisoning it, and the next memmove into it reports a use-after-poison
 * that is not there. Turning the manual poisoning calls into no-ops keeps
 * every other check. */
#include <sanitizer/asan_interface.h>
#undef ASAN_POISON_MEMORY_REGION
#undef ASAN_UNPOISON_MEMORY_REGION
#define __asan_poison_memory_region(addr, size) ((void)(addr), (void)(size))
#define __asan_unpoison_memory_region(addr, size) ((void)(addr), (void)(size))
#define ASAN_POISON_MEMORY_REGION(addr, size) ((void)(addr), (void)(size))
#define ASAN_UNPOISON_MEMORY_REGION(addr, size) ((void)(addr), (void)(size))
