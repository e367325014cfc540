# Variant kernel sets for the GPU box: name -> [(d, causal, tile_q, tile_kv, stages, persistent)]
V = {
 "P":        [(64, False, 128, 128, 2, True), (64, True, 128, 128, 2, True),
              (128, False, 128, 128, 2, True), (128, True, 128, 128, 2, True),
              (256, False, 128, 64, 2, True), (256, True, 128, 64, 2, True)],
 "v64_192":  [(64, False, 192, 128, 2, False), (64, True, 192, 128, 2, False)],
 "v64_192p": [(64, False, 192, 128, 2, True), (64, True, 192, 128, 2, True)],
 "v128_176p": [(128, False, 128, 176, 2, True)],
}
for vn, rows in V.items():
    out = []
    for d, causal, tq, tkv, st, pers in rows:
        t = f"tensor<?x?x?x{d}xbf16>"
        name = f"sdpa_d{d}_bf16" + ("_causal" if causal else "")
        sched = (f"#attn.gpu_schedule<mma = wgmma, copy = tma, tile_q = {tq}, tile_kv = {tkv}, "
                 f"kv_step = {tkv}, warps = {tq//16 + 4}, producer_warps = 4, stages = {st}"
                 + (", persistent = true" if pers else "") + ">")
        if causal:
            out.append(f"func.func @{name}(%q: {t}, %k: {t}, %v: {t}) -> ({t}, tensor<?x?x?xf32>) {{\n"
                       f"  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.causal) {{lse, attn.schedule = {sched}}} : {t}, {t}, {t} -> {t}, tensor<?x?x?xf32>\n"
                       f"  return %o, %lse : {t}, tensor<?x?x?xf32>\n}}\n")
        else:
            out.append(f"func.func @{name}(%q: {t}, %k: {t}, %v: {t}) -> {t} {{\n"
                       f"  %o = attn.sdpa %q, %k, %v {{attn.schedule = {sched}}} : {t}, {t}, {t} -> {t}\n"
                       f"  return %o : {t}\n}}\n")
    open(f"{vn}.mlir", "w").write("\n".join(out))
