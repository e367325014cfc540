"""The runtime's description of its own interface, which the package's
ctypes structs are built from (and checked against, field by field)."""
import ctypes
import json

import attn
from attn._runtime import runtime


def test_structs_match_the_runtime():
    rt = runtime()
    abi = json.loads(rt.lib.attnrt_abi_json().decode())
    assert set(abi["structs"]) == {"attnrt_table", "attnrt_sdpa_args", "attnrt_cpu_kernel",
                                   "attnrt_linear_kernel", "attnrt_gpu_kernel", "attnrt_linear_gpu_kernel",
                                   "attnrt_sdpa_gpu_args"}
    for name, desc in abi["structs"].items():
        cls = rt.structs[name]
        assert ctypes.sizeof(cls) == desc["size"] and ctypes.alignment(cls) == desc["align"]
        for f in desc["fields"]:
            assert getattr(cls, f["name"]).offset == f["offset"]
    assert abi["version"] == rt.abi_version


def test_statuses_and_dtypes():
    rt = runtime()
    assert rt.status["ATTNRT_OK"] == 0 and rt.status_name(0) == "ATTNRT_OK"
    assert all(rt.status_name(v) == k for k, v in rt.status.items())
    assert rt.status_name(999) == ""
    assert rt.dtype == {"bf16": 1, "f16": 2, "f32": 3}
    assert rt.table_kind == {"block_layout": 1, "document_offsets": 2, "key_lengths": 3}
    err = rt.error(rt.status["ATTNRT_ERROR_BAD_SIZE"])
    assert isinstance(err, attn.AttnrtError) and err.status_name == "ATTNRT_ERROR_BAD_SIZE"
